package tsdb

import (
	"fmt"
	"math"
	"sort"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// Emit receives merged rows: rows [from, to) of b, one key and one format.
// b is only valid during the call.
type Emit func(b *format.Block, from, to int) error

// source is one file's blocks of the key being merged.
type source struct {
	refs  []blockRef
	next  int // next ref to decode
	block format.Block
	pos   int // next row of block
	rank  int
}

// merger merges the rows of one key across files: for equal timestamps the
// newest file wins (last writer wins, whatever the format), and a delete
// marker hides the rows of files older than itself. It decodes one block
// per file at a time, so memory is bounded by the number of files. One
// merger per goroutine.
type merger struct {
	br      segment.BlockReader
	sources []source
	out     format.Block

	// The key being merged (start), pulled a run at a time (next).
	u        *keyUnit
	tlo, thi uint64
	copying  bool    // one file holds the key: its blocks go out as they are
	ref      int     // copying: the next block
	pending  *source // a run picked but not appended: out had to go out first
	limit    uint64  // the pending run's limit (see pick)
	handed   bool    // out went to the caller: empty it before appending
	done     bool
}

// mergeKey passes the merged rows of the key u within [tlo, thi] to emit,
// in time order, a run at a time.
func (m *merger) mergeKey(u *keyUnit, tlo, thi uint64, emit Emit) error {
	m.start(u, tlo, thi)
	for {
		b, from, to, ok, err := m.next()
		if !ok || err != nil {
			return err
		}
		if err := emit(b, from, to); err != nil {
			return err
		}
	}
}

// start begins the merge of the key u within [tlo, thi].
func (m *merger) start(u *keyUnit, tlo, thi uint64) {
	m.u, m.tlo, m.thi = u, tlo, thi
	m.ref, m.pending, m.handed, m.done = 0, nil, false, false
	m.copying = m.single(u)
	if !m.copying {
		m.load(u)
	}
}

// next returns the next run of merged rows: rows [from, to) of b, valid
// until the next call; ok is false after the key's last row.
func (m *merger) next() (b *format.Block, from, to int, ok bool, err error) {
	if m.copying {
		return m.nextBlock()
	}
	return m.nextMerged()
}

// nextBlock returns the selected rows of the next block of a key that one
// file holds.
func (m *merger) nextBlock() (*format.Block, int, int, bool, error) {
	b, u := &m.out, m.u
	for m.ref < len(u.refs) {
		r := &u.refs[m.ref]
		m.ref++
		if err := m.read(r, u.key, b); err != nil {
			return nil, 0, 0, false, err
		}
		if from, to := timeSpan(b.Times, m.tlo, m.thi); from < to {
			return b, from, to, true, nil
		}
	}
	b.Reset(nil, b.Format)
	return nil, 0, 0, false, nil
}

// nextMerged gathers merged runs into out until it is full or the format
// changes, and returns it.
func (m *merger) nextMerged() (*format.Block, int, int, bool, error) {
	u := m.u
	if m.handed {
		m.out.Reset(u.key, m.out.Format)
		m.handed = false
	}
	for !m.done {
		src, limit := m.pending, m.limit
		m.pending = nil
		if src == nil {
			var ts uint64
			var err error
			if src, ts, limit, err = m.pick(m.tlo, m.thi); err != nil {
				return nil, 0, 0, false, err
			}
			if src == nil {
				m.done = true
				break
			}
			if hidden(u.markers, src.rank, ts) {
				continue
			}
		}
		if !m.appendRun(src, limit) {
			m.pending, m.limit, m.handed = src, limit, true
			return &m.out, 0, m.out.Len(), true, nil
		}
	}
	if m.out.Len() == 0 {
		return nil, 0, 0, false, nil
	}
	m.handed = true
	return &m.out, 0, m.out.Len(), true, nil
}

// appendRun appends to out the row src just yielded and the rows after it
// in its block that come before limit (the next head of another source),
// which no other source can override: sources whose time ranges don't
// overlap merge at the speed of a copy. It reports false, appending
// nothing, when out must go out first (full, or of another format).
func (m *merger) appendRun(src *source, limit uint64) bool {
	b := &src.block
	from := src.pos - 1
	to := src.pos
	if len(m.u.markers) == 0 {
		for to < b.Len() && b.Times[to] < limit && b.Times[to] <= m.thi && to-from < segment.BlockRows {
			to++
		}
	}
	if m.out.Len() > 0 && (m.out.Format != b.Format || m.out.Len()+to-from > segment.BlockRows) {
		return false
	}
	if m.out.Len() == 0 {
		m.out.Reset(m.u.key, b.Format)
	}
	m.out.AppendRows(b, from, to)
	src.pos = to
	return true
}

// single reports whether one file holds all of the key's blocks and no
// marker is newer than it: then its blocks are emitted as they are.
func (m *merger) single(u *keyUnit) bool {
	f := u.refs[0].file
	for _, r := range u.refs[1:] {
		if r.file != f {
			return false
		}
	}
	for _, mk := range u.markers {
		if mk.rank > f.rank {
			return false
		}
	}
	return true
}

func (m *merger) read(r *blockRef, key []byte, dst *format.Block) error {
	r.entry.Key = key
	if err := m.br.Read(r.file.seg, &r.entry, dst); err != nil {
		return fmt.Errorf("%s: %w", r.file.name, err)
	}
	return nil
}

// timeSpan is the run of ts (sorted) within [tlo, thi].
func timeSpan(ts []uint64, tlo, thi uint64) (int, int) {
	from := sort.Search(len(ts), func(i int) bool { return ts[i] >= tlo })
	to := sort.Search(len(ts), func(i int) bool { return ts[i] > thi })
	return from, max(from, to)
}

// load splits the key's blocks into one source per file.
func (m *merger) load(u *keyUnit) {
	m.sources = m.sources[:0]
	for i := 0; i < len(u.refs); {
		j := fileEnd(u.refs, i)
		if len(m.sources) < cap(m.sources) {
			m.sources = m.sources[:len(m.sources)+1]
		} else {
			m.sources = append(m.sources, source{})
		}
		s := &m.sources[len(m.sources)-1]
		s.refs, s.next, s.pos, s.rank = u.refs[i:j], 0, 0, u.refs[i].file.rank
		s.block.Reset(u.key, "")
		i = j
	}
	m.out.Reset(u.key, m.out.Format)
}

// fileEnd is the end of the run of refs, from i, of refs[i]'s file.
func fileEnd(refs []blockRef, i int) int {
	j := i + 1
	for j < len(refs) && refs[j].file == refs[i].file {
		j++
	}
	return j
}

// pick returns the source holding the next row to output (the newest at
// the smallest timestamp), positioned past it, after skipping the rows of
// older sources at that timestamp and rows outside [tlo, thi]. limit is
// the smallest head timestamp of the other sources after that (or the
// maximum): rows of the chosen source before it can be copied as they are.
func (m *merger) pick(tlo, thi uint64) (best *source, ts, limit uint64, err error) {
	for i := range m.sources {
		s := &m.sources[i]
		ok, err := m.head(s, tlo, thi)
		if err != nil {
			return nil, 0, 0, err
		}
		if !ok {
			continue
		}
		t := s.block.Times[s.pos]
		if best == nil || t < ts || t == ts && s.rank > best.rank {
			best, ts = s, t
		}
	}
	if best == nil {
		return nil, 0, 0, nil
	}
	limit = math.MaxUint64
	for i := range m.sources {
		s := &m.sources[i]
		if s.pos < s.block.Len() && s.block.Times[s.pos] == ts {
			s.pos++
		}
		if s != best && s.pos < s.block.Len() {
			limit = min(limit, s.block.Times[s.pos])
		} else if s != best && s.next < len(s.refs) {
			limit = min(limit, s.refs[s.next].entry.MinTS)
		}
	}
	return best, ts, limit, nil
}

// head makes sure s has a current row within the bounds, decoding its next
// block when needed; it reports false when s is exhausted.
func (m *merger) head(s *source, tlo, thi uint64) (bool, error) {
	for {
		for s.pos < s.block.Len() && s.block.Times[s.pos] < tlo {
			s.pos++
		}
		if s.pos < s.block.Len() {
			return s.block.Times[s.pos] <= thi, nil
		}
		if s.next == len(s.refs) {
			return false, nil
		}
		key := s.block.Key
		if err := m.read(&s.refs[s.next], key, &s.block); err != nil {
			return false, err
		}
		s.next++
		s.pos = 0
	}
}

func hidden(markers []*marker, rank int, ts uint64) bool {
	for _, mk := range markers {
		if mk.rank > rank && mk.tlo <= ts && ts <= mk.thi {
			return true
		}
	}
	return false
}
