package tsdb

import "github.com/chime-tsdb/chime/format"

// Rows pulls the rows that a selector selects in a snapshot, merged across
// files, in key then time order: the rows Scan passes to its emit, a run at
// a time, for callers that drive the loop themselves (merging two views, a
// follower comparing outputs, an export interleaved with other work).
//
//	rows := snap.Rows(sel)
//	for rows.Next() {
//		b, from, to := rows.Block() // rows [from, to) of b: one key, one format
//	}
//	if err := rows.Err(); err != nil { ... }
//
// The block is valid until the next call of Next. Rows holds nothing that
// needs closing beyond its Snapshot, and is not safe for concurrent use.
type Rows struct {
	p        *query
	w        *walker
	m        merger
	inKey    bool
	b        *format.Block
	from, to int
	err      error
}

// Rows returns a pull iterator over the rows sel selects (nil: every
// row).
func (s *Snapshot) Rows(sel *Selector) *Rows { return s.rows(compile(sel)) }

func (s *Snapshot) rows(p *query) *Rows {
	s.readingAll(p)
	return &Rows{p: p, w: s.newWalker(p, compileMarkers(s.markers))}
}

// Next advances to the next run of rows and reports whether there is one.
func (r *Rows) Next() bool {
	for r.err == nil {
		if r.inKey {
			b, from, to, ok, err := r.m.next()
			if err != nil {
				r.err = err
				return false
			}
			if ok {
				r.b, r.from, r.to = b, from, to
				return true
			}
			r.inKey = false
		}
		u, err := r.w.next()
		if u == nil || err != nil {
			r.err = err
			return false
		}
		r.m.start(u, r.p.tlo, r.p.thi)
		r.inKey = true
	}
	return false
}

// Block is the current run: rows [from, to) of b, valid until Next.
func (r *Rows) Block() (b *format.Block, from, to int) { return r.b, r.from, r.to }

// Err is the error that ended the iteration (corruption, I/O), or nil.
func (r *Rows) Err() error { return r.err }
