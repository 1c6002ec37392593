package tsdb

import (
	"bytes"
	"math"

	"github.com/chime-tsdb/chime/format"
)

// Stats summarise the rows a selector selects in a snapshot (chime stats).
type Stats struct {
	// Keys is the number of keys with at least one visible row: exact,
	// as ListKeys counts them.
	Keys int
	// Rows is the number of visible rows. Unless Exact, it is an upper
	// bound read from block headers: rows that a newer row overwrites, a
	// delete marker hides or a time bound cuts may be counted.
	Rows uint64
	// First and Last are the first and last timestamps of the visible
	// rows (0 when Rows is 0). Unless TimesExact, they are bounds from
	// the index: First at most, Last at least the true ones.
	First, Last uint64
	// Exact says Rows is exact: counted by decoding (StatsOptions.Exact),
	// or settled by the index because no key has blocks of two files that
	// overlap in time, blocks that delete markers touch, or blocks that
	// straddle a time bound.
	Exact bool
	// TimesExact says First and Last are exact: decoded, or settled by
	// the index because no marker touches and no time bound cuts a block
	// (an overwrite leaves a row at its time, so it does not matter).
	TimesExact bool
	// Files lists every live file of the database, main first, then the
	// transactions in commit order, whatever the selector.
	Files []FileInfo
}

// StatsOptions configure Snapshot.Stats. The zero value reads the index
// only (except for the keys ListKeys would decode).
type StatsOptions struct {
	// Exact decodes and merges every selected row to count them.
	Exact bool
}

// Bytes is the size of all the files.
func (st *Stats) Bytes() int64 {
	var n int64
	for _, f := range st.Files {
		n += f.Size
	}
	return n
}

// StoredRows is the number of rows stored in the files' blocks, before
// merging: what the files' bytes hold.
func (st *Stats) StoredRows() uint64 {
	var n uint64
	for _, f := range st.Files {
		n += f.Rows
	}
	return n
}

// BytesPerSample is the size of all the files over the rows they store,
// the storage cost of a sample on disk (0 for an empty database).
func (st *Stats) BytesPerSample() float64 {
	if rows := st.StoredRows(); rows > 0 {
		return float64(st.Bytes()) / float64(rows)
	}
	return 0
}

// Stats counts the keys and rows that sel selects (nil: every row), with
// their first and last timestamps, and lists the live files.
func (s *Snapshot) Stats(sel *Selector, opts StatsOptions) (*Stats, error) {
	st := &Stats{First: math.MaxUint64, Exact: true, TimesExact: true}
	var err error
	if opts.Exact {
		err = s.exactStats(sel, st)
	} else {
		err = s.indexStats(sel, st)
	}
	if err != nil {
		return nil, err
	}
	if st.Rows == 0 {
		st.First, st.Last = 0, 0
	}
	st.Files = s.fileInfos()
	return st, nil
}

// exactStats merges every selected row.
func (s *Snapshot) exactStats(sel *Selector, st *Stats) error {
	var last []byte
	return s.Scan(sel, func(b *format.Block, from, to int) error {
		if st.Keys == 0 || !bytes.Equal(last, b.Key) {
			st.Keys++
			last = append(last[:0], b.Key...)
		}
		st.Rows += uint64(to - from)
		st.First = min(st.First, b.Times[from])
		st.Last = max(st.Last, b.Times[to-1])
		return nil
	})
}

// indexStats sums block headers of the keys with a visible row.
func (s *Snapshot) indexStats(sel *Selector, st *Stats) error {
	p := compile(sel)
	var m merger
	return s.walk(p, compileMarkers(s.markers), func(u *keyUnit) error {
		ok, err := m.visible(u, p.tlo, p.thi)
		if ok {
			st.addKey(u, p.tlo, p.thi)
		}
		return err
	})
}

// addKey adds the blocks of a visible key that no marker hides whole.
func (st *Stats) addKey(u *keyUnit, tlo, thi uint64) {
	st.Keys++
	exact := true
	for i := range u.refs {
		v := viewRef(&u.refs[i], u.markers, tlo, thi)
		if v.hidden {
			continue
		}
		e := &u.refs[i].entry
		st.Rows += uint64(e.Rows)
		st.First, st.Last = min(st.First, v.lo), max(st.Last, v.hi)
		exact = exact && !v.touched && v.lo == e.MinTS && v.hi == e.MaxTS
	}
	st.TimesExact = st.TimesExact && exact
	st.Exact = st.Exact && exact && !filesOverlap(u.refs)
}

// filesOverlap reports whether the time spans of two files' blocks of a
// key overlap: then a newer row may overwrite an older one. (Blocks of
// one file never overlap.)
func filesOverlap(refs []blockRef) bool {
	type span struct{ lo, hi uint64 }
	var spans []span
	for i := 0; i < len(refs); {
		j := fileEnd(refs, i)
		// A file's blocks are in time order.
		spans = append(spans, span{refs[i].entry.MinTS, refs[j-1].entry.MaxTS})
		i = j
	}
	for i := range spans {
		for j := range i {
			if overlaps(spans[i].lo, spans[i].hi, spans[j].lo, spans[j].hi) {
				return true
			}
		}
	}
	return false
}

// Widest is the largest number of value columns among the blocks that may
// hold selected rows: the width of a CSV header, known from the index
// before any row is printed. A block whose rows are all overwritten or
// deleted still counts, so it may exceed the widest row printed. 0 means
// nothing is selected.
func (s *Snapshot) Widest(sel *Selector) (int, error) {
	widest := 0
	err := s.walk(compile(sel), nil, func(u *keyUnit) error {
		for i := range u.refs {
			widest = max(widest, u.refs[i].entry.Format.Len())
		}
		return nil
	})
	return widest, err
}

// fileInfos describes the live files: main, then the others in position
// order.
func (s *Snapshot) fileInfos() []FileInfo {
	out := []FileInfo{s.main.info()}
	for _, f := range s.files {
		if f.live() {
			out = append(out, f.info())
		}
	}
	return out
}
