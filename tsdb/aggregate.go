package tsdb

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// AggregateOptions configure Snapshot.Aggregate. The zero value
// aggregates each key on its own, on every CPU.
type AggregateOptions struct {
	// Merge, when set, aggregates the rows of every selected key into one
	// series with this name (the "sum by" of other systems). Its memory
	// grows with the number of buckets, and for quantiles with every
	// selected row (8 bytes each).
	Merge []byte
	// Workers is how many goroutines aggregate; 0 means one per CPU.
	Workers int
}

// Aggregate computes q over the rows that sel selects (nil: every row)
// and calls emit with the result rows, in key then time order, on the
// calling goroutine: one row per key (or per merged series) and bucket,
// stamped with the bucket's start (see agg.Query), with for each selected
// value column the result of each aggregate. Keys are aggregated in
// parallel from their decoded columns, and see exactly the rows Scan
// passes: last writer wins and delete markers apply first.
//
// An s or B column selected for an aggregate other than count, first and
// last is refused before any row is emitted (see AggregateWidth); an
// integer sum that overflows its type stops the aggregation with an error
// naming the key and bucket (agg.ErrOverflow).
func (s *Snapshot) Aggregate(sel *Selector, q *agg.Query, opts *AggregateOptions, emit Emit) error {
	return s.aggregate(sel, q, opts, nil, func(rows *agg.Rows, _ []byte) error {
		for i, blocks := 0, rows.Blocks(); i < len(blocks); i++ {
			if err := emit(&blocks[i], 0, blocks[i].Len()); err != nil {
				return err
			}
		}
		return nil
	})
}

// AggregateAppend is Aggregate with the result rows rendered by render on
// the workers and passed to write in order, as ScanAppend does.
func (s *Snapshot) AggregateAppend(sel *Selector, q *agg.Query, opts *AggregateOptions, render AppendFunc, write func([]byte) error) error {
	return s.aggregate(sel, q, opts, render, func(rows *agg.Rows, buf []byte) error {
		if rows != nil {
			buf = renderAggRows(buf, rows, render)
		}
		if len(buf) == 0 {
			return nil
		}
		return write(buf)
	})
}

// AggregateWidth is the number of result columns of the widest result
// row of q over sel, known from the index (the width of a CSV header). It
// refuses, naming the key, an s or B column selected for an aggregate
// other than count, first and last in a block that may hold selected
// rows, even one whose rows are all overwritten or deleted.
func (s *Snapshot) AggregateWidth(sel *Selector, q *agg.Query) (int, error) {
	return s.aggregateWidth(compile(sel), q)
}

func (s *Snapshot) aggregateWidth(p *query, q *agg.Query) (int, error) {
	width := 0
	err := s.walk(p, nil, func(u *keyUnit) error {
		for i := range u.refs {
			f := u.refs[i].entry.Format
			if err := q.CheckFormat(f); err != nil {
				return fmt.Errorf("key %s: %w", format.Quote(u.key), err)
			}
			width = max(width, q.Width(f))
		}
		return nil
	})
	return width, err
}

// deliverFunc passes the rows of a batch, or its rendered bytes, on.
type deliverFunc func(rows *agg.Rows, buf []byte) error

func (s *Snapshot) aggregate(sel *Selector, q *agg.Query, opts *AggregateOptions, render AppendFunc, deliver deliverFunc) error {
	if opts == nil {
		opts = &AggregateOptions{}
	}
	if err := q.Validate(); err != nil {
		return err
	}
	if opts.Merge != nil && len(opts.Merge) == 0 {
		return fmt.Errorf("aggregate: empty merged series name")
	}
	p := compile(sel)
	if _, err := s.aggregateWidth(p, q); err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	a := &aggregation{s: s, p: p, q: q, merge: opts.Merge, render: render, deliver: deliver}
	s.readingAll(p)
	if workers == 1 || p.exactKeys() {
		return a.sequential()
	}
	return a.parallel(workers)
}

// aggregation is one run of Aggregate.
type aggregation struct {
	s       *Snapshot
	p       *query
	q       *agg.Query
	merge   []byte
	render  AppendFunc
	deliver deliverFunc
}

// rowsPool recycles the result rows of batches between workers and the
// calling goroutine.
var rowsPool = sync.Pool{New: func() any { return new(agg.Rows) }}

// sequential aggregates on the calling goroutine, delivering each key's
// rows as it is done.
func (a *aggregation) sequential() error {
	w := a.newWorker()
	rows := &agg.Rows{}
	partial := a.sink(w, rows)
	err := a.s.walk(a.p, compileMarkers(a.s.markers), func(u *keyUnit) error {
		if err := w.key(u); err != nil || rows.Len() == 0 {
			return err
		}
		err := a.deliver(rows, nil)
		rows.Reset()
		return err
	})
	if err != nil || partial == nil {
		return err
	}
	return a.finishMerge(partial)
}

// parallel aggregates batches of keys on workers goroutines.
func (a *aggregation) parallel(workers int) error {
	var total *agg.Partial
	if a.merge != nil {
		total = agg.NewPartial(a.q)
	}
	err := a.s.inBatches(a.p, workers, a.batchWorker, func(b *batch) error {
		switch r := b.result.(type) {
		case *agg.Partial:
			total.Merge(r)
			return nil
		case *agg.Rows:
			defer rowsPool.Put(r)
			return a.deliver(r, nil)
		}
		return a.deliver(nil, b.buf)
	})
	if err != nil || total == nil {
		return err
	}
	return a.finishMerge(total)
}

// batchWorker returns the work function of one worker goroutine.
func (a *aggregation) batchWorker() func(*batch) {
	w := a.newWorker()
	return func(b *batch) {
		defer close(b.done)
		rows := rowsPool.Get().(*agg.Rows)
		rows.Reset()
		partial := a.sink(w, rows)
		for _, u := range b.units {
			if b.err = w.key(u); b.err != nil {
				return
			}
		}
		b.units = nil
		switch {
		case partial != nil:
			rowsPool.Put(rows)
			b.result = partial
		case a.render != nil:
			b.buf = renderAggRows((*bufPool.Get().(*[]byte))[:0], rows, a.render)
			rowsPool.Put(rows)
		default:
			b.result = rows
		}
	}
}

// sink points w's series at a new Partial when merging, which it
// returns, and otherwise at rows.
func (a *aggregation) sink(w *aggWorker, rows *agg.Rows) *agg.Partial {
	if a.merge != nil {
		p := agg.NewPartial(a.q)
		w.series.SetSink(p)
		return p
	}
	w.series.SetSink(agg.NewRowSink(a.q, rows))
	return nil
}

// finishMerge delivers the rows of the merged series.
func (a *aggregation) finishMerge(total *agg.Partial) error {
	var rows agg.Rows
	if err := total.AppendRows(a.merge, &rows); err != nil {
		return err
	}
	return a.deliver(&rows, nil)
}

func renderAggRows(dst []byte, rows *agg.Rows, render AppendFunc) []byte {
	for i, blocks := 0, rows.Blocks(); i < len(blocks); i++ {
		dst = render(dst, &blocks[i], 0, blocks[i].Len())
	}
	return dst
}

// aggWorker aggregates keys one at a time; one per goroutine.
type aggWorker struct {
	m      merger
	series *agg.Series
	block  format.Block
	p      *query
	q      *agg.Query
}

func (a *aggregation) newWorker() *aggWorker {
	return &aggWorker{series: agg.NewSeries(a.q, nil), p: a.p, q: a.q}
}

// key aggregates the rows of one key into the series' sink.
func (w *aggWorker) key(u *keyUnit) error {
	w.series.Reset(u.key)
	var err error
	if w.q.CountOnly() && w.m.single(u) {
		err = w.countKey(u)
	} else {
		err = w.m.mergeKey(u, w.p.tlo, w.p.thi, w.series.Add)
	}
	if err == nil {
		err = w.series.Finish()
	}
	return err
}

// countKey counts the rows of a key that one file holds whole, with no
// newer marker: a block inside the time bounds and inside one bucket is
// counted from its index entry without decoding; the others are decoded.
func (w *aggWorker) countKey(u *keyUnit) error {
	tlo, thi := w.p.tlo, w.p.thi
	for i := range u.refs {
		e := &u.refs[i].entry
		if tlo <= e.MinTS && e.MaxTS <= thi && w.q.SameBucket(e.MinTS, e.MaxTS) {
			if err := w.series.AddCount(e.Format, e.MinTS, e.MaxTS, e.Rows); err != nil {
				return err
			}
			continue
		}
		if err := w.m.read(&u.refs[i], u.key, &w.block); err != nil {
			return err
		}
		if from, to := timeSpan(w.block.Times, tlo, thi); from < to {
			if err := w.series.Add(&w.block, from, to); err != nil {
				return err
			}
		}
	}
	return nil
}
