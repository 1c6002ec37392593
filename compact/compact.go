package compact

import (
	"context"
	"fmt"
	"io"
	"time"

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
	Duration time.Duration
}

// Run compacts db. On any error, a cancelled ctx included, the database is
// left as it was.
func Run(ctx context.Context, db *tsdb.DB, o Options) (Result, error) {
	start := time.Now()
	c, err := db.BeginCompaction(tsdb.CompactionOptions{Major: o.Major, Rewrite: o.Gegnum != "", NoWait: o.NoWait})
	if err != nil {
		return Result{}, err
	}
	defer c.Abort()
	res := Result{}
	for _, f := range c.Inputs() {
		res.Inputs = append(res.Inputs, f.Name)
	}
	if len(res.Inputs) == 0 {
		res.Duration = time.Since(start)
		return res, nil
	}
	err = run(ctx, db, c, o)
	res.Rows = c.Rows()
	if err == nil {
		res.Output, err = c.Publish()
	}
	res.Duration = time.Since(start)
	return res, err
}

// run writes the output: the merged rows, or what the --gegnum filter
// makes of them.
func run(ctx context.Context, db *tsdb.DB, c *tsdb.Compaction, o Options) error {
	if err := checkSpace(db, c.Estimate()); err != nil {
		return err
	}
	w := &output{ctx: ctx, c: c, progress: o.Progress}
	var err error
	if o.Gegnum != "" {
		err = filter(ctx, c.Snapshot(), w, o)
	} else {
		err = c.Snapshot().Scan(&tsdb.Selector{}, w.write)
	}
	if err == nil {
		err = ctx.Err() // never publish once interrupted
	}
	return err
}

// checkSpace refuses to start, with an error wrapping tsdb.ErrDiskFull,
// when the store cannot hold the output (estimated as the size of the
// inputs). An unknown free space does not
// refuse: the writes will tell.
func checkSpace(db *tsdb.DB, need int64) error {
	free, err := db.Free()
	if err != nil {
		return nil
	}
	if uint64(need) > free {
		return fmt.Errorf("%w for a compaction: the output may need %d bytes, %d are free", tsdb.ErrDiskFull, need, free)
	}
	return nil
}
