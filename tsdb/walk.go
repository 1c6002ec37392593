package tsdb

import (
	"bytes"
	"fmt"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// query is a compiled Selector: what walk needs to find the selected keys
// and times.
type query struct {
	sel      *Selector
	patterns []pattern // nil: every key in the ranges
	ranges   []keyRange
	tlo, thi uint64
	empty    bool
}

// compile compiles sel; nil selects every row.
func compile(sel *Selector) *query {
	if sel == nil {
		sel = &Selector{}
	}
	p := &query{sel: sel, ranges: sel.ranges()}
	var ok bool
	p.tlo, p.thi, ok = sel.TimeRange()
	p.empty = !ok || len(p.ranges) == 0
	for _, f := range sel.Filters {
		if len(f) > 0 {
			p.patterns = append(p.patterns, compilePattern(f))
		}
	}
	return p
}

// wholeIndex reports whether the query walks every key: each file's whole
// index is then fetched at once (one ranged read on object storage, a
// read-ahead hint on a local file).
func (p *query) wholeIndex() bool {
	return len(p.ranges) == 1 && len(p.ranges[0].lo) == 0 && p.ranges[0].hi == nil
}

// exactKeys reports whether the selection names keys exactly (no '%', no
// key range): each is one unit of work.
func (p *query) exactKeys() bool {
	if len(p.patterns) == 0 {
		return p.sel.Filters != nil
	}
	for i := range p.patterns {
		if !p.patterns[i].exact {
			return false
		}
	}
	return true
}

func (p *query) matchKey(key []byte) bool {
	if p.sel.Filters == nil {
		return true
	}
	for i := range p.patterns {
		if p.patterns[i].match(key) {
			return true
		}
	}
	return false
}

// marker is a compiled delete marker of a snapshot.
type marker struct {
	rank     int
	pat      *pattern
	m        format.Marker
	tlo, thi uint64
}

func compileMarkers(sets []markerSet) []*marker {
	var out []*marker
	for _, set := range sets {
		for _, fm := range set.markers {
			m := &marker{rank: set.rank, m: fm}
			if fm.HasFilter {
				p := compilePattern(fm.Filter)
				m.pat = &p
			}
			var ok bool
			if m.tlo, m.thi, ok = fm.TimeRange(); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// matchKey reports whether the marker covers key (at some times).
func (m *marker) matchKey(key []byte) bool {
	if m.m.HasAfterKey && bytes.Compare(key, m.m.AfterKey) < 0 {
		return false
	}
	if m.m.HasBeforeKey && bytes.Compare(key, m.m.BeforeKey) >= 0 {
		return false
	}
	if m.m.HasFilter && (len(m.m.Filter) == 0 || !m.pat.match(key)) {
		return false
	}
	return true
}

// blockRef is a block of one file that may hold selected rows.
type blockRef struct {
	file  *segFile
	entry segment.IndexEntry // entry.Key is not kept: see keyUnit.key
}

// keyUnit is the merge work for one key: the blocks of every file that may
// hold selected rows, oldest file first and by time within a file, and the
// delete markers that cover the key.
type keyUnit struct {
	key     []byte
	refs    []blockRef
	markers []*marker
	rows    int // upper bound, from the index
}

// walk calls fn for every selected key, in key order, with its blocks,
// merging the indexes of all data files. It reads index pages only.
func (s *Snapshot) walk(p *query, markers []*marker, fn func(u *keyUnit) error) error {
	if p.empty {
		return nil
	}
	curs := make([]*segment.Cursor, len(s.data))
	if p.wholeIndex() {
		for _, f := range s.data {
			f.seg.PrefetchIndex()
		}
	}
	for _, r := range p.ranges {
		for i, f := range s.data {
			if curs[i] == nil {
				curs[i] = f.seg.Seek(r.lo)
			} else {
				curs[i].Reset(r.lo)
			}
		}
		if err := s.walkRange(p, r, curs, markers, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Snapshot) walkRange(p *query, r keyRange, curs []*segment.Cursor, markers []*marker, fn func(u *keyUnit) error) error {
	live := make([]bool, len(curs))
	for i, c := range curs {
		live[i] = c.Next()
	}
	for {
		key := minKey(curs, live, r.hi)
		if key == nil {
			break
		}
		u := &keyUnit{key: bytes.Clone(key)}
		for i, c := range curs {
			for live[i] && bytes.Equal(c.Entry().Key, u.key) {
				if e := c.Entry(); overlaps(e.MinTS, e.MaxTS, p.tlo, p.thi) {
					ref := blockRef{file: s.data[i], entry: *e}
					ref.entry.Key = nil
					u.refs = append(u.refs, ref)
					u.rows += e.Rows
				}
				live[i] = c.Next()
			}
		}
		if len(u.refs) == 0 || !p.matchKey(u.key) {
			continue
		}
		for _, m := range markers {
			if m.matchKey(u.key) {
				u.markers = append(u.markers, m)
			}
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	for i, c := range curs {
		if err := c.Err(); err != nil {
			return fmt.Errorf("%s: %w", s.data[i].name, err)
		}
	}
	return nil
}

// overlaps reports whether the time ranges [alo, ahi] and [blo, bhi]
// share a time.
func overlaps(alo, ahi, blo, bhi uint64) bool { return alo <= bhi && blo <= ahi }

// minKey is the smallest current key below hi among the live cursors, or
// nil.
func minKey(curs []*segment.Cursor, live []bool, hi []byte) []byte {
	var min []byte
	for i, c := range curs {
		if !live[i] {
			continue
		}
		k := c.Entry().Key
		if hi != nil && bytes.Compare(k, hi) >= 0 {
			live[i] = false
			continue
		}
		if min == nil || bytes.Compare(k, min) < 0 {
			min = k
		}
	}
	return min
}
