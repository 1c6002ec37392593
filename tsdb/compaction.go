package tsdb

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// ErrLocked is returned, wrapped, by BeginCompaction without waiting when
// another compaction holds the lock. It is vfs.ErrLocked.
var ErrLocked = vfs.ErrLocked

// CompactionOptions choose a compaction. The zero value is a minor
// compaction that waits for the compaction lock.
type CompactionOptions struct {
	// Major merges main and every transaction into a new main, applying
	// delete markers and dropping them. Otherwise the data transactions
	// (and earlier minor outputs) merge into one output that takes the
	// position of the newest of them; markers stay, since they still apply
	// to main.
	Major bool
	// Rewrite says the caller rewrites the rows (compact --gegnum): the
	// compaction is then worth doing even with a single input.
	Rewrite bool
	// NoWait fails at once with an error wrapping ErrLocked when another
	// compaction holds the lock.
	NoWait bool
}

// FileInfo describes one file of a database.
type FileInfo struct {
	Name string
	Kind segment.Kind
	Size int64
	Rows uint64 // rows stored in its blocks (before merging)
}

func (f *segFile) info() FileInfo {
	return FileInfo{Name: f.name, Kind: f.seg.Kind(), Size: f.seg.Size(), Rows: f.seg.Rows()}
}

// Compaction is a compaction in progress: it holds the compaction lock,
// has chosen its inputs, and writes its output, which Publish makes the
// database's. Every rule that keeps readers and writers correct (what the
// output includes, its name, what it replaces and when that is removed) is
// the Compaction's; the caller only chooses the kind and writes the merged
// rows of Snapshot, or rows rewritten from them. A Compaction is not safe
// for concurrent use.
type Compaction struct {
	db       *DB
	lock     vfs.Lock
	snap     *Snapshot // the database when it was planned
	view     *Snapshot // the rows to merge
	major    bool
	inputs   []*segFile
	included []*segFile // every file the output holds the rows of
	target   string
	tx       *Tx
	done     bool
}

// BeginCompaction takes the compaction lock (waiting for it unless
// NoWait), removes what earlier compactions replaced and no reader needs
// any more, and plans a compaction. Inputs is empty when there is nothing
// to do; either way, end it with Publish or Abort.
func (db *DB) BeginCompaction(o CompactionOptions) (*Compaction, error) {
	lock, err := db.fs.Lock(CompactLock, !o.NoWait)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", CompactLock, err)
	}
	c := &Compaction{db: db, lock: lock, major: o.Major}
	if c.snap, err = db.Snapshot(); err != nil {
		c.Abort()
		return nil, err
	}
	if err := db.sweep(c.snap); err != nil {
		c.Abort()
		return nil, err
	}
	if o.Major {
		c.planMajor(o.Rewrite)
	} else {
		c.planMinor(o.Rewrite)
	}
	if len(c.inputs) == 0 {
		return c, nil
	}
	if c.tx, err = db.begin(c.outputOptions(), maxLimits()); err != nil {
		c.Abort()
		return nil, err
	}
	return c, nil
}

// maxLimits are the format's maxima: compaction outputs are not bound by
// Options.Limits, so that lowering a limit never makes existing data
// impossible to compact.
func maxLimits() format.Limits {
	l, _ := format.Limits{}.WithDefaults()
	l.MaxLineLen = format.MaxLineLenLimit
	return l
}

// planMajor merges main and every live file into a new main, which
// includes every transaction and output listed: the merged ones, and
// those already hidden or ignored, so that none can come back.
func (c *Compaction) planMajor(rewrite bool) {
	s := c.snap
	live := 0
	for _, f := range s.files {
		if f.live() {
			live++
		}
	}
	if live == 0 && !rewrite {
		return
	}
	c.view = s
	c.inputs = append([]*segFile{s.main}, liveFiles(s.files)...)
	c.included = s.files
	if c.db.objects {
		c.target = mainName(s.main.fn.gen + 1)
	} else {
		c.target = MainName
	}
}

// planMinor merges the live data files into one output at the position
// of the newest, which includes them and everything they hide.
func (c *Compaction) planMinor(rewrite bool) {
	s := c.snap
	var data []*segFile
	for _, f := range liveFiles(s.files) {
		if f.seg.Kind() == segment.KindData {
			data = append(data, f)
		}
	}
	if len(data) < 2 && (len(data) == 0 || !rewrite) {
		return
	}
	c.view = &Snapshot{data: data, markers: s.markers}
	c.inputs = data
	c.included = closure(data, s.files)
	newest := data[len(data)-1]
	if c.db.objects {
		c.target = outputName(newest.fn.pos, nextGeneration(s.listing, newest.fn.pos))
		return
	}
	// A local directory renames the output over the newest input, which
	// keeps its position and its name (the output includes it by its ID:
	// the name now holds another file).
	c.target = newest.name
}

func liveFiles(files []*segFile) []*segFile {
	var out []*segFile
	for _, f := range files {
		if f.live() {
			out = append(out, f)
		}
	}
	return out
}

// closure is the inputs and every file that they hide, directly or
// through a hidden output: all of it must stay hidden once the output
// replaces the inputs.
func closure(inputs, files []*segFile) []*segFile {
	out := slices.Clone(inputs)
	inc := includeSet{}
	for _, f := range inputs {
		inc.add(f.name, f.seg.Included())
	}
	for grown := true; grown; {
		grown = false
		for _, f := range files {
			if !slices.Contains(out, f) && !f.ignored && inc.has(f.name, f.id()) {
				out = append(out, f)
				inc.add(f.name, f.seg.Included())
				grown = true
			}
		}
	}
	slices.SortFunc(out, func(a, b *segFile) int { return strings.Compare(a.name, b.name) })
	return out
}

// nextGeneration is 1 + the highest generation of the outputs listed at
// position pos.
func nextGeneration(listing []vfs.Entry, pos uint64) uint64 {
	var g uint64
	for _, e := range listing {
		if fn := parseName(e.Name); fn.kind == kindOutput && fn.pos == pos {
			g = max(g, fn.gen)
		}
	}
	return g + 1
}

// outputOptions describe the output's file: a new main carries the
// generation after the one it merged and the high-water mark of all it
// ever held; a minor output records the main it was planned on.
func (c *Compaction) outputOptions() segment.Options {
	o := segment.Options{Kind: segment.KindData, Generation: c.snap.main.seg.Generation()}
	for _, f := range c.included {
		o.Included = append(o.Included, segment.Included{Name: f.name, ID: f.id()})
	}
	if c.major {
		o.Generation++
		o.HighWater = highWaterOf(c.snap.main.seg)
		for _, f := range c.included {
			o.HighWater = max(o.HighWater, f.fn.pos)
		}
	}
	return o
}

// Inputs lists the files merged: main first when major, then the others
// in position order. It is empty when there is nothing to do.
func (c *Compaction) Inputs() []FileInfo {
	var out []FileInfo
	for _, f := range c.inputs {
		out = append(out, f.info())
	}
	return out
}

// Estimate is the number of bytes the output may need: the inputs' size.
func (c *Compaction) Estimate() int64 {
	var n int64
	for _, f := range c.inputs {
		n += f.seg.Size()
	}
	return n
}

// Snapshot is the view of the rows to merge (Scan or ScanAppend it), valid
// until Publish or Abort. It is nil when there is nothing to do.
func (c *Compaction) Snapshot() *Snapshot { return c.view }

// Write adds rows to the output, in (key, time) order.
func (c *Compaction) Write(b *format.Block) error {
	if c.tx == nil {
		return errors.New("compaction: nothing to write to")
	}
	return c.tx.Write(b)
}

// Rows is the number of rows written to the output so far.
func (c *Compaction) Rows() uint64 {
	if c.tx == nil {
		return 0
	}
	return c.tx.Rows()
}

// Publish makes the output the database's. In a local directory it is
// renamed over main, or over the newest input of a minor compaction, and
// the files it includes are then removed. On object storage, which cannot
// replace a name, it is published as main.<G+1> or tx.<C>.<g> if that name
// is free (a compactor that lost its lease and woke up late finds it
// taken and publishes nothing), and a later compaction removes what it
// includes once the grace period has passed (see sweep).
// It returns the output's name, "" when there was nothing to do. On error
// the database is as it was, unless the error says the output was
// published.
func (c *Compaction) Publish() (string, error) {
	if c.done {
		return "", ErrTxDone
	}
	defer c.Abort()
	if c.tx == nil {
		return "", nil
	}
	if err := c.lock.Check(); err != nil {
		return "", fmt.Errorf("compaction lock: %w; nothing published", err)
	}
	if err := c.publishOutput(); err != nil {
		return "", err
	}
	if c.db.fs.Caps().KeepOpen {
		var names []string
		for _, f := range c.included {
			if f.name != c.target { // renamed over
				names = append(names, f.name)
			}
		}
		if err := c.db.fs.Remove(names...); err != nil {
			return c.target, fmt.Errorf("output %s published; %w", c.target, err)
		}
	}
	return c.target, nil
}

func (c *Compaction) publishOutput() error {
	tx := c.tx
	if err := tx.finish(); err != nil {
		return err
	}
	if !c.db.objects {
		return tx.p.Replace(c.target)
	}
	err := tx.p.Publish(c.target)
	if err == nil {
		return nil
	}
	// ErrExist, or an unknown outcome: the name tells.
	if own, ownErr := c.db.holds(c.target, tx.w.ID()); ownErr == nil && own {
		return nil // a retried request that had succeeded
	}
	if errors.Is(err, vfs.ErrExist) {
		return fmt.Errorf("another compaction published %s first; nothing published", c.target)
	}
	return err
}

// Abort ends the compaction without publishing (after Publish, it only
// releases what is left) and releases the lock.
func (c *Compaction) Abort() error {
	if c.done {
		return nil
	}
	c.done = true
	var errs []error
	if c.tx != nil {
		errs = append(errs, c.tx.Rollback())
	}
	if c.snap != nil {
		errs = append(errs, c.snap.Close())
	}
	errs = append(errs, c.lock.Release())
	return errors.Join(errs...)
}

// Free is the space available in the database's store, in bytes, when
// the store knows it.
func (db *DB) Free() (uint64, error) {
	if f, ok := db.fs.(vfs.Freer); ok {
		return f.Free()
	}
	return 0, fmt.Errorf("free space of %s: %w", db.fs, vfs.ErrUnsupported)
}
