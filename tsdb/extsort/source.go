package extsort

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// source yields the rows of one sorted run as blocks, in (key, time)
// order, each (key, time) once. A block and its positions are valid until
// the next call; nil means the end.
type source interface {
	next() (*format.Block, []uint64, error)
}

// memSource yields a sorted run held in memory, a key at a time: the
// key's pieces as they are when its rows come in time order, or else its
// rows sorted by time into pieces of one row, or of several where
// consecutive rows of a store stay together.
type memSource struct {
	r     *run
	keys  []sortedKey
	k     int     // the next key to load
	spans []piece // the loaded key's rows in time order
	s     int     // the span being emitted
	i     uint32  // the next row of spans[s]
	blk   format.Block
	pos   []uint64
	dup   func(key []byte, ts, first, second uint64)
	sbuf  []piece // scratch of load
}

// next gathers the next rows of one key and one format, skipping a row
// when the next one of the run has the same key and time: the later row
// wins (dup, when set, hears of it).
func (m *memSource) next() (*format.Block, []uint64, error) {
	m.blk.Truncate(0)
	m.pos = m.pos[:0]
	for {
		if m.s == len(m.spans) {
			if m.blk.Len() > 0 || m.k == len(m.keys) {
				break
			}
			m.load(m.keys[m.k].pieces)
			m.k++
			continue
		}
		sp := m.spans[m.s]
		st := m.r.stores[sp.store]
		if m.blk.Len() > 0 && (m.blk.Format != st.Format || m.blk.Len() >= segment.BlockRows) {
			break
		}
		if m.blk.Len() == 0 {
			m.blk.Reset(m.keys[m.k-1].key, st.Format)
		}
		m.copySpan(sp, st)
	}
	if m.blk.Len() == 0 {
		return nil, nil, nil
	}
	return &m.blk, m.pos, nil
}

// copySpan copies rows of sp from m.i on, up to the block's room or a row
// the next row repeats, which it skips.
func (m *memSource) copySpan(sp piece, st *format.Block) {
	end := min(sp.end(), m.i+uint32(segment.BlockRows-m.blk.Len()))
	times := st.Times
	j := m.i
	for ; j < end; j++ {
		if j+1 < sp.end() {
			if times[j+1] == times[j] {
				break
			}
		} else if nst, nrow, ok := m.after(j); ok && m.r.stores[nst].Times[nrow] == times[j] {
			break
		}
	}
	m.blk.AppendRows(st, int(m.i), int(j))
	if m.r.pos != nil {
		m.pos = append(m.pos, m.r.pos[sp.store][m.i:j]...)
	}
	m.i = j
	if j < end { // row j is repeated by the next: the later wins
		if m.dup != nil {
			nst, nrow, _ := m.after(j)
			m.dup(m.blk.Key, st.Times[j], m.r.pos[sp.store][j], m.r.pos[nst][nrow])
		}
		m.i++
	}
	if m.i == sp.end() {
		m.s++
		if m.s < len(m.spans) {
			m.i = m.spans[m.s].from
		}
	}
}

// after returns the row that follows row j of the current span in the
// key's time order, if any.
func (m *memSource) after(j uint32) (uint16, uint32, bool) {
	if sp := m.spans[m.s]; j+1 < sp.end() {
		return sp.store, j + 1, true
	}
	if m.s+1 < len(m.spans) {
		sp := m.spans[m.s+1]
		return sp.store, sp.from, true
	}
	return 0, 0, false
}

// load makes the rows of a key's pieces, in time order, the spans to
// emit. A key whose rows are out of time order is sorted by time, stably:
// of two rows with the same time, the later in the input stays later.
func (m *memSource) load(ps []piece) {
	r := m.r
	m.s, m.i = 0, ps[0].from
	if r.timeSorted(ps) {
		m.spans = ps
		return
	}
	rows := m.sbuf[:0]
	for _, p := range ps {
		for row := p.from; row < p.end(); row++ {
			rows = append(rows, piece{from: row, store: p.store, n: 1})
		}
	}
	slices.SortStableFunc(rows, func(a, b piece) int {
		return cmp.Compare(r.stores[a.store].Times[a.from], r.stores[b.store].Times[b.from])
	})
	// Join rows that follow on in a store, in place.
	spans := rows[:0]
	for _, x := range rows {
		if n := len(spans) - 1; n >= 0 && spans[n].store == x.store && spans[n].end() == x.from && spans[n].n < maxPiece {
			spans[n].n++
		} else {
			spans = append(spans, x)
		}
	}
	m.sbuf, m.spans = rows, spans
	m.i = spans[0].from
}

// Spill files hold a sorted run as blocks, each:
//
//	uvarint len(key), key, uvarint len(format), format, uvarint rows,
//	rows x uint64 times, [rows x uint64 positions, when tracked,]
//	then per column: rows x uint64 numbers, or rows x uint32 value ends,
//	uvarint len(data), data
//
// all little-endian, and a zero key length at the end. They are read
// back by the process that wrote them, once, in order.

// writeBlock appends the encoding of b (and pos) to w.
func writeBlock(w *bufio.Writer, b *format.Block, pos []uint64, scratch []byte) ([]byte, error) {
	buf := scratch[:0]
	buf = binary.AppendUvarint(buf, uint64(len(b.Key)))
	buf = append(buf, b.Key...)
	buf = binary.AppendUvarint(buf, uint64(len(b.Format)))
	buf = append(buf, b.Format...)
	buf = binary.AppendUvarint(buf, uint64(b.Len()))
	buf = appendNums(buf, b.Times)
	buf = appendNums(buf, pos)
	for c := range b.Cols {
		col := &b.Cols[c]
		if !b.Format.Code(c).Variable() {
			buf = appendNums(buf, col.Nums)
			continue
		}
		for _, e := range col.Ends {
			buf = binary.LittleEndian.AppendUint32(buf, e)
		}
		buf = binary.AppendUvarint(buf, uint64(len(col.Data)))
		buf = append(buf, col.Data...)
	}
	_, err := w.Write(buf)
	return buf, err
}

func appendNums(dst []byte, nums []uint64) []byte {
	for _, n := range nums {
		dst = binary.LittleEndian.AppendUint64(dst, n)
	}
	return dst
}

// fileSource reads back a spill file.
type fileSource struct {
	r       *bufio.Reader
	withPos bool
	blk     format.Block
	pos     []uint64
	buf     []byte
}

var errSpill = errors.New("spill file damaged")

// next reads the next block.
func (f *fileSource) next() (*format.Block, []uint64, error) {
	key, err := f.bytes(format.MaxKeyLen)
	if err != nil || len(key) == 0 {
		return nil, nil, err
	}
	keyCopy := append([]byte(nil), key...) // f.buf is reused below
	fm, err := f.bytes(format.MaxFormatLen)
	if err != nil {
		return nil, nil, err
	}
	f.blk.Reset(keyCopy, format.Format(fm))
	rows, err := binary.ReadUvarint(f.r)
	if err != nil || rows == 0 || rows > segment.MaxBlockRows {
		return nil, nil, fmt.Errorf("%w: %d rows (%v)", errSpill, rows, err)
	}
	n := int(rows)
	if f.blk.Times, err = f.nums(f.blk.Times[:0], n); err != nil {
		return nil, nil, err
	}
	f.pos = f.pos[:0]
	if f.withPos {
		if f.pos, err = f.nums(f.pos, n); err != nil {
			return nil, nil, err
		}
	}
	for c := range f.blk.Cols {
		if err := f.column(c, n); err != nil {
			return nil, nil, err
		}
	}
	return &f.blk, f.pos, nil
}

// column reads the values of column c.
func (f *fileSource) column(c, n int) error {
	col := &f.blk.Cols[c]
	if !f.blk.Format.Code(c).Variable() {
		var err error
		col.Nums, err = f.nums(col.Nums[:0], n)
		return err
	}
	if err := f.fill(4 * n); err != nil {
		return err
	}
	for i := range n {
		col.Ends = append(col.Ends, binary.LittleEndian.Uint32(f.buf[4*i:]))
	}
	data, err := f.bytes(1 << 31)
	col.Data = append(col.Data[:0], data...)
	return err
}

// nums reads n little-endian uint64s.
func (f *fileSource) nums(dst []uint64, n int) ([]uint64, error) {
	if err := f.fill(8 * n); err != nil {
		return dst, err
	}
	for i := range n {
		dst = append(dst, binary.LittleEndian.Uint64(f.buf[8*i:]))
	}
	return dst, nil
}

// bytes reads a length and that many bytes into f.buf.
func (f *fileSource) bytes(limit uint64) ([]byte, error) {
	n, err := binary.ReadUvarint(f.r)
	if err != nil || n > limit {
		return nil, fmt.Errorf("%w: length %d (%v)", errSpill, n, err)
	}
	err = f.fill(int(n))
	return f.buf, err
}

// fill reads exactly n bytes into f.buf.
func (f *fileSource) fill(n int) error {
	if cap(f.buf) < n {
		f.buf = make([]byte, n)
	}
	f.buf = f.buf[:n]
	if _, err := io.ReadFull(f.r, f.buf); err != nil {
		return fmt.Errorf("%w: %v", errSpill, err)
	}
	return nil
}
