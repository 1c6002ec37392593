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
	// prefetch fetches each file's whole index when the query walks every
	// key; a walk that stops early (keys --limit) leaves it false.
	prefetch bool
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
	p := &query{sel: sel, ranges: sel.ranges(), prefetch: true}
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

// readingAll tells each data file, when the query reads every key's
// blocks (a full scan), that it is about to be read from end to end: a
// local file then reads ahead, which a point read must not.
func (s *Snapshot) readingAll(p *query) {
	if !p.wholeIndex() {
		return
	}
	for _, f := range s.data {
		f.seg.ReadAll()
	}
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
	w := s.newWalker(p, markers)
	for {
		u, err := w.next()
		if u == nil || err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
	}
}

// walker pulls the selected keys, in key order, merging the indexes of all
// data files: one cursor per file, moved over each key range in turn.
type walker struct {
	s       *Snapshot
	p       *query
	markers []*marker
	curs    []*segment.Cursor
	live    []bool
	r       int // the key range being walked; -1 before the first
	done    bool
}

func (s *Snapshot) newWalker(p *query, markers []*marker) *walker {
	w := &walker{s: s, p: p, markers: markers, r: -1, done: p.empty,
		curs: make([]*segment.Cursor, len(s.data)), live: make([]bool, len(s.data))}
	if p.prefetch && p.wholeIndex() {
		for _, f := range s.data {
			f.seg.PrefetchIndex()
		}
	}
	return w
}

// next returns the next selected key with its blocks, or nil after the
// last.
func (w *walker) next() (*keyUnit, error) {
	for !w.done {
		if w.r < 0 {
			w.startRange(0)
			continue
		}
		r := w.p.ranges[w.r]
		key := minKey(w.curs, w.live, r.hi)
		if key == nil {
			if err := w.endRange(); err != nil {
				return nil, err
			}
			continue
		}
		if u := w.unit(key); u != nil {
			return u, nil
		}
	}
	return nil, nil
}

// startRange positions every cursor at the start of range i.
func (w *walker) startRange(i int) {
	w.r = i
	lo := w.p.ranges[i].lo
	for j, f := range w.s.data {
		if w.curs[j] == nil {
			w.curs[j] = f.seg.Seek(lo)
		} else {
			w.curs[j].Reset(lo)
		}
		w.live[j] = w.curs[j].Next()
	}
}

// endRange checks the cursors of the range walked and moves to the next.
func (w *walker) endRange() error {
	for i, c := range w.curs {
		if err := c.Err(); err != nil {
			w.done = true
			return fmt.Errorf("%s: %w", w.s.data[i].name, err)
		}
	}
	if w.r+1 == len(w.p.ranges) {
		w.done = true
		return nil
	}
	w.startRange(w.r + 1)
	return nil
}

// unit gathers the blocks of key from every cursor, moving them past it;
// it returns nil when no block of the key is selected.
func (w *walker) unit(key []byte) *keyUnit {
	u := &keyUnit{key: bytes.Clone(key)}
	p := w.p
	for i, c := range w.curs {
		for w.live[i] && bytes.Equal(c.Entry().Key, u.key) {
			if e := c.Entry(); overlaps(e.MinTS, e.MaxTS, p.tlo, p.thi) {
				ref := blockRef{file: w.s.data[i], entry: *e}
				ref.entry.Key = nil
				u.refs = append(u.refs, ref)
				u.rows += e.Rows
			}
			w.live[i] = c.Next()
		}
	}
	if len(u.refs) == 0 || !p.matchKey(u.key) {
		return nil
	}
	for _, m := range w.markers {
		if m.matchKey(u.key) {
			u.markers = append(u.markers, m)
		}
	}
	return u
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
