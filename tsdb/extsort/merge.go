package extsort

import (
	"bytes"
	"cmp"
	"sort"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// head is the current block of one run in the merge. Runs are numbered in
// input order: of two rows with the same key and time, the one of the
// later run is the later row.
type head struct {
	src source
	run int
	b   *format.Block
	pos []uint64
	i   int
}

func (h *head) key() []byte { return h.b.Key }
func (h *head) ts() uint64  { return h.b.Times[h.i] }

// less orders heads by key, time, then run.
func less(a, b *head) bool {
	if c := bytes.Compare(a.key(), b.key()); c != 0 {
		return c < 0
	}
	if c := cmp.Compare(a.ts(), b.ts()); c != 0 {
		return c < 0
	}
	return a.run < b.run
}

// advance moves h past n rows, loading its next block when it runs out;
// it reports whether h still has rows.
func (h *head) advance(n int) (bool, error) {
	h.i += n
	if h.i < h.b.Len() {
		return true, nil
	}
	b, pos, err := h.src.next()
	if err != nil || b == nil {
		return false, err
	}
	h.b, h.pos, h.i = b, pos, 0
	return true, nil
}

// merger merges runs into one (key, time) order, the later row winning
// where two have the same key and time.
type merger struct {
	heads  []*head // a binary min-heap by less
	out    format.Block
	outPos []uint64 // the positions of out's rows, when the sources have them
	emit   func(*format.Block, []uint64) error
	dup    func(key []byte, ts, first, second uint64)
}

// merge passes the rows of every source to emit in blocks, with their
// positions when the sources have them.
func merge(sources []source, emit func(*format.Block, []uint64) error, dup func([]byte, uint64, uint64, uint64)) error {
	m := &merger{emit: emit, dup: dup}
	for i, src := range sources {
		b, pos, err := src.next()
		if err != nil {
			return err
		}
		if b != nil {
			m.heads = append(m.heads, &head{src: src, run: i, b: b, pos: pos})
		}
	}
	for i := len(m.heads)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	for len(m.heads) > 0 {
		if err := m.step(); err != nil {
			return err
		}
	}
	return m.flush()
}

// step takes rows from the least head: every row before the next head's
// first (all of its block when no other head has its key), or drops its
// row when another run has a later row at the same key and time.
func (m *merger) step() error {
	h := m.heads[0]
	n := h.b.Len() - h.i
	if other := m.second(); other != nil && bytes.Equal(other.key(), h.key()) {
		ts := other.ts()
		if h.ts() == ts {
			if m.dup != nil {
				m.dup(h.key(), ts, h.pos[h.i], other.pos[other.i])
			}
			return m.advance(h, 1)
		}
		// h.ts() < ts: take the rows before ts.
		rest := h.b.Times[h.i:]
		n = sort.Search(len(rest), func(k int) bool { return rest[k] >= ts })
	}
	if err := m.take(h, n); err != nil {
		return err
	}
	return m.advance(h, n)
}

// second returns the least head after the first, or nil.
func (m *merger) second() *head {
	switch len(m.heads) {
	case 1:
		return nil
	case 2:
		return m.heads[1]
	}
	if less(m.heads[1], m.heads[2]) {
		return m.heads[1]
	}
	return m.heads[2]
}

// advance moves the first head past n rows and restores the heap.
func (m *merger) advance(h *head, n int) error {
	ok, err := h.advance(n)
	if err != nil {
		return err
	}
	if !ok {
		last := len(m.heads) - 1
		m.heads[0] = m.heads[last]
		m.heads = m.heads[:last]
	}
	if len(m.heads) > 0 {
		m.down(0)
	}
	return nil
}

// take appends the next n rows of h to the output block, emitting it
// when its key or format changes or it is full. It leaves h where it is.
func (m *merger) take(h *head, n int) error {
	for i := h.i; n > 0; {
		if m.out.Len() > 0 && (m.out.Format != h.b.Format || !bytes.Equal(m.out.Key, h.b.Key) || m.out.Len() >= segment.BlockRows) {
			if err := m.flush(); err != nil {
				return err
			}
		}
		if m.out.Len() == 0 {
			m.out.Reset(h.b.Key, h.b.Format)
		}
		k := min(n, segment.BlockRows-m.out.Len())
		m.out.AppendRows(h.b, i, i+k)
		if len(h.pos) > 0 {
			m.outPos = append(m.outPos, h.pos[i:i+k]...)
		}
		i += k
		n -= k
	}
	return nil
}

// flush emits the output block.
func (m *merger) flush() error {
	if m.out.Len() == 0 {
		return nil
	}
	err := m.emit(&m.out, m.outPos)
	m.out.Truncate(0)
	m.outPos = m.outPos[:0]
	return err
}

// down restores the heap below i.
func (m *merger) down(i int) {
	h := m.heads
	for {
		least := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) && less(h[c], h[least]) {
				least = c
			}
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}
