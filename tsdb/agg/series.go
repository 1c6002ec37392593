package agg

import (
	"sort"

	"github.com/chime-tsdb/chime/format"
)

// Sink receives the finished buckets of a Series, in time order: start is
// the bucket's start (0 without Step). It reports whether it kept st, which
// the series then no longer uses.
type Sink interface {
	Bucket(key []byte, start uint64, st *State) (kept bool, err error)
}

// Series cuts the rows of one series into buckets and accumulates them:
// feed it with Add in time order, then call Finish. One Series per
// goroutine; Reset starts the next series.
type Series struct {
	q     *Query
	nd    needs
	sink  Sink
	key   []byte
	cur   *State
	open  bool
	start uint64
	last  uint64 // the current bucket's last timestamp
	spare *State
	// scratch holds a run of values converted to float64.
	scratch []float64
}

// NewSeries returns a Series computing q (which must be valid) and
// passing the buckets to sink.
func NewSeries(q *Query, sink Sink) *Series {
	return &Series{q: q, nd: q.needs(), sink: sink}
}

// Reset starts a new series named key, dropping what was not finished.
func (s *Series) Reset(key []byte) {
	s.key = append(s.key[:0], key...)
	s.open = false
}

// Add accumulates rows [from, to) of b, which come after the rows added
// before in time order.
func (s *Series) Add(b *format.Block, from, to int) error {
	for from < to {
		if err := s.enter(b.Times[from]); err != nil {
			return err
		}
		end := bucketEnd(b.Times, from, to, s.last)
		if err := s.cur.add(s.q, s.nd, b, from, end, &s.scratch); err != nil {
			return err
		}
		from = end
	}
	return nil
}

// AddCount accumulates rows rows of format f, from first to last, all in
// one bucket (see Query.SameBucket): what a block header tells, enough
// for a query of counts only (Query.CountOnly).
func (s *Series) AddCount(f format.Format, first, last uint64, rows int) error {
	if err := s.enter(first); err != nil {
		return err
	}
	s.cur.addCount(s.q, f, first, last, rows)
	return nil
}

// enter makes the bucket of ts the current one, finishing the previous.
func (s *Series) enter(ts uint64) error {
	if s.open && ts <= s.last {
		return nil
	}
	if err := s.Finish(); err != nil {
		return err
	}
	if s.cur == nil {
		s.cur, s.spare = s.spare, nil
		if s.cur == nil {
			s.cur = &State{}
		}
	}
	s.cur.reset()
	s.start, s.last = s.q.bucket(ts)
	s.open = true
	return nil
}

// Finish passes the current bucket, if any, to the sink.
func (s *Series) Finish() error {
	if !s.open {
		return nil
	}
	s.open = false
	kept, err := s.sink.Bucket(s.key, s.start, s.cur)
	if kept {
		s.cur = nil
	}
	return err
}

// bucketEnd is the first index in [from, to) whose time is after last,
// or to; ts[from] is at most last. It gallops from from, so that small
// buckets cost little.
func bucketEnd(ts []uint64, from, to int, last uint64) int {
	if ts[to-1] <= last {
		return to
	}
	lo, step := from, 1 // ts[lo] <= last
	for lo+step < to && ts[lo+step] <= last {
		lo += step
		step *= 2
	}
	hi := min(lo+step, to) // ts[hi] > last, or hi == to
	return lo + 1 + sort.Search(hi-lo-1, func(i int) bool { return ts[lo+1+i] > last })
}

// SetSink makes sink receive the buckets finished from now on.
func (s *Series) SetSink(sink Sink) { s.sink = sink }

// RowSink is the Sink that turns each bucket into a result row of the
// series' key, appended to Out.
type RowSink struct {
	q   *Query
	nd  needs
	Out *Rows
}

// NewRowSink returns a RowSink for q appending to out.
func NewRowSink(q *Query, out *Rows) *RowSink { return &RowSink{q: q, nd: q.needs(), Out: out} }

// Bucket appends the bucket's row to r.Out.
func (r *RowSink) Bucket(key []byte, start uint64, st *State) (bool, error) {
	return false, st.appendRow(r.q, r.nd, r.Out, key, stamp(r.q, start, st))
}

// stamp is the timestamp of a bucket's row: its start, or without Step the
// first timestamp in it.
func stamp(q *Query, start uint64, st *State) uint64 {
	if q.Step == 0 {
		return st.first
	}
	return start
}
