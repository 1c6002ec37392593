package agg

import (
	"maps"
	"slices"
)

// Partial is the Sink of a merged series (read --merge): it combines the
// buckets of every series fed to it, by bucket start. Its memory grows
// with the number of buckets, and for quantiles with every value of the
// merged rows: quantiles are exact.
type Partial struct {
	q       *Query
	nd      needs
	buckets map[uint64]*State
}

// NewPartial returns an empty Partial for q.
func NewPartial(q *Query) *Partial {
	return &Partial{q: q, nd: q.needs(), buckets: map[uint64]*State{}}
}

// Bucket merges st into the bucket at start, keeping st when it is the
// first.
func (p *Partial) Bucket(_ []byte, start uint64, st *State) (bool, error) {
	if old := p.buckets[start]; old != nil {
		old.merge(st)
		return false, nil
	}
	p.buckets[start] = st
	return true, nil
}

// Merge folds later, the Partial of series that come after p's in key
// order, into p.
func (p *Partial) Merge(later *Partial) {
	for start, st := range later.buckets {
		if old := p.buckets[start]; old != nil {
			old.merge(st)
		} else {
			p.buckets[start] = st
		}
	}
	clear(later.buckets)
}

// AppendRows appends the rows of the merged series, named name, to out in
// time order.
func (p *Partial) AppendRows(name []byte, out *Rows) error {
	for _, start := range slices.Sorted(maps.Keys(p.buckets)) {
		st := p.buckets[start]
		if err := st.appendRow(p.q, p.nd, out, name, stamp(p.q, start, st)); err != nil {
			return err
		}
	}
	return nil
}
