package compact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

// Options choose the kind of compaction. The zero value is a minor
// compaction that waits for the compaction lock.
type Options struct {
	// Major merges main too, into a new main.
	Major bool
	// Gegnum is a shell command (run with /bin/sh -c) that receives every
	// merged row as text and prints the rows of the output.
	Gegnum string
	// Layout formats and parses the timestamps passed through Gegnum;
	// nil means integer nanoseconds.
	Layout *timefmt.Layout
	// NoWait fails at once with an error wrapping tsdb.ErrLocked when
	// another compaction holds the lock.
	NoWait bool
	// Stderr receives the filter's stderr; nil means discard.
	Stderr io.Writer
	// Progress, when set, is called now and then with the rows written.
	Progress func(rows uint64)
}

// Result says what a compaction did.
type Result struct {
	Inputs   []string // files merged (main first when major)
	Output   string   // the file published; "" when there was nothing to do
	Rows     uint64   // rows written
	Bytes    int64    // size of the output
	Duration time.Duration
}

// ErrNoSpace is wrapped when the file system has less free space than the
// compaction's output is estimated to need.
var ErrNoSpace = errors.New("not enough free disk space")

// Run compacts db. On any error, a cancelled ctx included, the database is
// left as it was.
func Run(ctx context.Context, db *tsdb.DB, o Options) (Result, error) {
	start := time.Now()
	lock, err := db.LockCompaction(!o.NoWait)
	if err != nil {
		return Result{}, err
	}
	defer lock.Close()
	if err := db.RemoveLeftovers(); err != nil {
		return Result{}, err
	}
	snap, err := db.LockedSnapshot()
	if err != nil {
		return Result{}, err
	}
	defer snap.Close()
	p := choose(snap, o)
	if p == nil {
		return Result{Duration: time.Since(start)}, nil
	}
	res, err := p.run(ctx, db, o)
	res.Duration = time.Since(start)
	return res, err
}

// plan is what one compaction merges and where it publishes the result.
type plan struct {
	view     *tsdb.Snapshot // the files to merge
	inputs   []string       // their names, for the result
	included []string       // names the output includes, unlinked once it is published
	target   string         // the name the output replaces
	estimate int64          // bytes the output may need
}

// choose decides what to merge; nil means there is nothing to do.
func choose(snap *tsdb.Snapshot, o Options) *plan {
	txs := snap.Transactions()
	if o.Major {
		if len(txs) == 0 && o.Gegnum == "" {
			return nil
		}
		main := snap.Main()
		p := &plan{view: snap, target: tsdb.MainName, inputs: []string{main.Name}, estimate: main.Size}
		for _, f := range txs {
			p.add(f)
			p.included = append(p.included, f.Name)
		}
		return p
	}
	var data []tsdb.FileInfo
	for _, f := range txs {
		if f.Kind == segment.KindData {
			data = append(data, f)
		}
	}
	if len(data) < 2 && (len(data) == 0 || o.Gegnum == "") {
		return nil
	}
	p := &plan{view: snap.WithoutMain(), target: data[len(data)-1].Name}
	for _, f := range data {
		p.add(f)
		if f.Name != p.target {
			// The output takes the target's name: it includes the
			// others.
			p.included = append(p.included, f.Name)
		}
	}
	return p
}

func (p *plan) add(f tsdb.FileInfo) {
	p.inputs = append(p.inputs, f.Name)
	p.estimate += f.Size
}

func (p *plan) run(ctx context.Context, db *tsdb.DB, o Options) (Result, error) {
	res := Result{Inputs: p.inputs}
	if err := checkSpace(db, p.estimate); err != nil {
		return res, err
	}
	tx, err := db.BeginOutput(p.included)
	if err != nil {
		return res, err
	}
	w := &output{ctx: ctx, tx: tx, progress: o.Progress}
	if o.Gegnum != "" {
		err = filter(ctx, p.view, w, o)
	} else {
		err = p.view.Scan(&tsdb.Selector{}, w.write)
	}
	if err == nil {
		err = ctx.Err() // never publish once interrupted
	}
	if err != nil {
		tx.Rollback()
		return res, err
	}
	res.Rows = tx.Rows()
	if err := tx.Replace(p.target); err != nil {
		return res, err
	}
	res.Output = p.target
	if err := db.RemoveFiles(p.included); err != nil {
		return res, fmt.Errorf("output %s published; %w", p.target, err)
	}
	return res, nil
}

// checkSpace refuses to start when the file system cannot hold the output
// (estimated as the size of the inputs).
func checkSpace(db *tsdb.DB, need int64) error {
	free, err := db.Free()
	if err != nil {
		return nil // unknown: let the writes tell
	}
	if uint64(need) > free {
		return fmt.Errorf("%w: the output may need %d bytes, %d are free", ErrNoSpace, need, free)
	}
	return nil
}
