package tsdb

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// DefaultFollowInterval is how often Follower.Run looks for new
// transactions unless told otherwise: a listing of the directory and one
// small read of main's tail each time.
const DefaultFollowInterval = 100 * time.Millisecond

// Follower streams a selection like `tail -f`: first the rows of a
// snapshot (read them from Snapshot), then, at each Poll, the selected rows
// of the transactions committed since, in commit order, each row once.
//
// Rows of a new data transaction are printed as they are; markers are
// noted but retract nothing already printed (a delete does not unprint).
// A row that a delete hid, or a newer transaction overwrote, before the
// follower saw its transaction may never be printed when a compaction
// merged them meanwhile: only the newest row at a (key, time) survives a
// merge.
//
// Compaction never makes it print a row twice. A minor compaction
// publishes its output under the name of the newest transaction it merged
// (which the follower may not have seen yet) and includes the others, some
// maybe printed; a major compaction writes a new main that includes them
// all. Included lists are not transitive: an output that merged an earlier
// output names only that one, not what it held. So the follower keeps
// every file it printed open until a main, or a printed output, includes
// it, and of a compaction output it has not seen it prints only the rows
// that its printed files, merged, do not hold with the same key, time,
// format and values. Two consequences: rows of several transactions that
// a compaction merged before the follower saw them come out together, in
// (key, time) order rather than commit order; and a row that an unseen
// transaction rewrote with identical values is not printed again. A major
// compaction is noticed by reading main's tail each Poll, and costs a
// merge of main only when its main includes transactions not yet seen.
//
// A Follower is not safe for concurrent use.
type Follower struct {
	db      *DB
	sel     *Selector
	snap    *Snapshot
	main    *segFile
	held    map[string]*segFile
	last    string            // the newest transaction name printed or covered
	initial map[*segFile]bool // the snapshot's files: Close closes them
}

// Follow takes a snapshot of the selection (nil: everything) to follow.
// Print the snapshot's rows first, then call Poll or Run. Close the
// Follower, not its snapshot.
func (db *DB) Follow(sel *Selector) (*Follower, error) {
	snap, err := db.Snapshot()
	if err != nil {
		return nil, err
	}
	f := &Follower{db: db, sel: sel, snap: snap, main: snap.main, held: map[string]*segFile{}, initial: map[*segFile]bool{snap.main: true}}
	f.cover(snap.main)
	for _, sf := range snap.files {
		f.initial[sf] = true
		f.cover(sf)
		if sf.live() {
			f.held[sf.name] = sf
		}
	}
	return f, nil
}

// cover raises last to sf's name and every name it includes.
func (f *Follower) cover(sf *segFile) {
	names := []string{sf.name}
	for _, inc := range sf.seg.Included() {
		names = append(names, inc.Name)
	}
	for _, n := range names {
		if IsTransaction(n) && n > f.last {
			f.last = n
		}
	}
}

// Snapshot is the view whose rows come before any Poll's. It stays valid
// until Close.
func (f *Follower) Snapshot() *Snapshot { return f.snap }

// Close releases every file.
func (f *Follower) Close() error {
	var errs []error
	for _, sf := range f.held {
		errs = append(errs, f.release(sf))
	}
	errs = append(errs, f.release(f.main), f.snap.Close())
	f.held, f.main = nil, nil
	return errors.Join(errs...)
}

// release closes a file the follower opened itself.
func (f *Follower) release(sf *segFile) error {
	if sf == nil || f.initial[sf] {
		return nil
	}
	return sf.rf.Close()
}

// Run polls every interval (0: DefaultFollowInterval) until ctx is done,
// and returns ctx's error, or the first error of a Poll.
func (f *Follower) Run(ctx context.Context, interval time.Duration, render AppendFunc, write func([]byte) error) error {
	if interval <= 0 {
		interval = DefaultFollowInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if err := f.Poll(render, write); err != nil {
			return err
		}
	}
}

// Poll renders the selected rows of the transactions committed since the
// last Poll (or the snapshot) and passes them to write, in commit order,
// rendered by render as ScanAppend does.
func (f *Follower) Poll(render AppendFunc, write func([]byte) error) error {
	listing, err := f.db.list()
	if err != nil {
		return err
	}
	if err := f.pollMain(listing, render, write); err != nil {
		return err
	}
	for _, e := range sortedFiles(listing) {
		if e.Name <= f.last {
			continue
		}
		found, err := f.follow(e, render, write)
		if err != nil || !found {
			// A file that vanished was merged by a compaction: the next
			// Poll finds its rows in the output, still in order.
			return err
		}
	}
	return nil
}

// follow prints the rows of the new transaction file name; it reports
// false when the file is gone.
func (f *Follower) follow(e vfs.Entry, render AppendFunc, write func([]byte) error) (bool, error) {
	name := e.Name
	sf, err := openFile(f.db.fs, name, e.Version)
	if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if sf.seg.Kind() == segment.KindData {
		if err := f.printNew(sf, false, render, write); err != nil {
			sf.rf.Close()
			return false, err
		}
		f.releaseIncluded(sf.seg.Included())
	}
	f.held[name] = sf
	f.last = name
	return true, nil
}

// pollMain looks for a new main in the listing. When it includes
// transactions not yet seen (a major compaction merged them before the
// follower saw them), it prints their rows; either way it releases the
// files main includes.
func (f *Follower) pollMain(listing []vfs.Entry, render AppendFunc, write func([]byte) error) error {
	e, ok := newestMain(listing, f.db.objects)
	if !ok {
		return fmt.Errorf("%w: %s has no %q", ErrNotDatabase, f.db.fs, MainName)
	}
	if e.Name == f.main.name && e.Version == f.main.rf.Version() {
		return nil
	}
	sf, err := openFile(f.db.fs, e.Name, e.Version)
	if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
		return nil // replaced again: the next Poll sees the newer one
	}
	if err != nil {
		return err
	}
	if f.includesUnseen(sf.seg) {
		if err := f.printNew(sf, true, render, write); err != nil {
			sf.rf.Close()
			return err
		}
		f.cover(sf)
	}
	f.releaseUpTo(sf.seg.Included())
	f.release(f.main)
	f.main = sf
	return nil
}

func (f *Follower) includesUnseen(seg *segment.Reader) bool {
	for _, inc := range seg.Included() {
		if IsTransaction(inc.Name) && inc.Name > f.last {
			return true
		}
	}
	return false
}

// releaseUpTo closes the held files that a new main holds: every one up
// to the newest it includes. Those it does not name were merged, before it
// was written, into an output that it names or into the previous main.
func (f *Follower) releaseUpTo(included []segment.Included) {
	newest := ""
	for _, inc := range included {
		newest = max(newest, inc.Name)
	}
	for n, sf := range f.held {
		if n <= newest {
			f.release(sf)
			delete(f.held, n)
		}
	}
}

// releaseIncluded closes the held files that an output now holds.
func (f *Follower) releaseIncluded(included []segment.Included) {
	for _, inc := range included {
		if sf := f.held[inc.Name]; sf != nil && (inc.ID.IsZero() || inc.ID == sf.id()) {
			f.release(sf)
			delete(f.held, inc.Name)
		}
	}
}

// printNew prints the selected rows of a new data file (a transaction, a
// compaction output or, with isMain, a new main) that the follower has
// not printed. A plain transaction's rows are all new. An output may hold
// printed rows, even of files its included list does not name (an output
// that merged them and that it merged in turn), so its rows are compared
// with every printed file.
func (f *Follower) printNew(out *segFile, isMain bool, render AppendFunc, write func([]byte) error) error {
	view := &Snapshot{data: []*segFile{{name: out.name, rank: 1, rf: out.rf, seg: out.seg}}}
	if !isMain && len(out.seg.Included()) == 0 {
		return view.ScanAppend(f.sel, 0, render, write)
	}
	return f.printDiff(view, f.baseline(isMain), render, write)
}

// baseline is the merged view of every held file, ranked in commit order,
// and of main when withMain (a minor compaction never merges main): what
// the follower has printed.
func (f *Follower) baseline(withMain bool) *Snapshot {
	v := &Snapshot{}
	if withMain {
		v.data = append(v.data, &segFile{name: f.main.name, rf: f.main.rf, seg: f.main.seg})
	}
	held := slices.SortedFunc(maps.Values(f.held), func(a, b *segFile) int { return strings.Compare(a.name, b.name) })
	for i, sf := range held {
		rank := i + 1
		if sf.seg.Kind() == segment.KindMarkers {
			v.markers = append(v.markers, markerSet{rank: rank, markers: sf.seg.Markers()})
		} else {
			v.data = append(v.data, &segFile{name: sf.name, rank: rank, rf: sf.rf, seg: sf.seg})
		}
	}
	return v
}

// printDiff prints the selected rows of out that base does not hold with
// the same key, time, format and values, walking both in (key, time)
// order.
func (f *Follower) printDiff(out, base *Snapshot, render AppendFunc, write func([]byte) error) error {
	c := &rowCursor{rows: base.Rows(f.sel)}
	buf := make([]byte, 0, flushSize+4096)
	err := out.Scan(f.sel, func(b *format.Block, from, to int) error {
		start := from // the run of new rows being gathered
		for i := from; i < to; i++ {
			dup, err := c.holds(b, i)
			if err != nil {
				return err
			}
			if dup {
				buf = render(buf, b, start, i)
				start = i + 1
			}
		}
		buf = render(buf, b, start, to)
		if len(buf) < flushSize {
			return nil
		}
		err := write(buf)
		buf = buf[:0]
		return err
	})
	if err == nil && len(buf) > 0 {
		err = write(buf)
	}
	return err
}

// rowCursor walks the rows of a Rows iterator forward, a row at a time.
type rowCursor struct {
	rows     *Rows
	b        *format.Block
	pos, end int
	done     bool
}

// holds advances to the first row at or after (b.Key, b.Times[i]) and
// reports whether it is that very row.
func (c *rowCursor) holds(b *format.Block, i int) (bool, error) {
	for !c.done {
		if c.pos == c.end {
			if !c.rows.Next() {
				c.done = true
				return false, c.rows.Err()
			}
			c.b, c.pos, c.end = c.rows.Block()
			continue
		}
		order := bytes.Compare(c.b.Key, b.Key)
		if order == 0 {
			order = cmp.Compare(c.b.Times[c.pos], b.Times[i])
		}
		if order > 0 {
			return false, nil
		}
		if order == 0 {
			return sameValues(c.b, c.pos, b, i), nil
		}
		c.pos++
	}
	return false, nil
}

// sameValues reports whether row i of a and row j of b have the same
// format and values.
func sameValues(a *format.Block, i int, b *format.Block, j int) bool {
	if a.Format != b.Format {
		return false
	}
	for col := range a.Cols {
		if a.Format.Code(col).Variable() {
			if !bytes.Equal(a.Bytes(col, i), b.Bytes(col, j)) {
				return false
			}
		} else if a.Cols[col].Nums[i] != b.Cols[col].Nums[j] {
			return false
		}
	}
	return true
}
