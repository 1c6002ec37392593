package extsort

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// source yields the rows of one sorted run as blocks, in (key, time)
// order, each (key, time) once. A block and its positions are valid until
// the next call; nil means the end.
type source interface {
	next() (*format.Block, []uint64, error)
}

// memSource yields a sorted run held in memory.
type memSource struct {
	r      *run
	groups []group
	g, i   int // the next rec: r.recs[groups[g].from+i]
	blk    format.Block
	pos    []uint64
	dup    func(key []byte, ts, first, second uint64)
}

// next gathers the next rows of one key and one format, skipping a row
// when the next one of the run has the same key and time: the later row
// wins (dup, when set, hears of it).
func (m *memSource) next() (*format.Block, []uint64, error) {
	r := m.r
	m.blk.Truncate(0)
	m.pos = m.pos[:0]
	for m.g < len(m.groups) {
		g := m.groups[m.g]
		for k := g.from + m.i; k < g.to; k, m.i = k+1, m.i+1 {
			x := r.recs[k]
			if k+1 < g.to && r.recs[k+1].ts == x.ts {
				if m.dup != nil {
					m.dup(r.keys[x.key], x.ts, r.pos[k], r.pos[k+1])
				}
				continue
			}
			st := r.stores[x.fmt]
			if m.blk.Len() > 0 && (m.blk.Format != st.Format || m.blk.Len() >= segment.BlockRows) {
				return &m.blk, m.pos, nil
			}
			if m.blk.Len() == 0 {
				m.blk.Reset(r.keys[x.key], st.Format)
			}
			gather(&m.blk, st, int(x.row))
			if r.pos != nil {
				m.pos = append(m.pos, r.pos[k])
			}
		}
		m.g, m.i = m.g+1, 0
		if m.blk.Len() > 0 {
			return &m.blk, m.pos, nil
		}
	}
	return nil, nil, nil
}

// gather appends row i of st to b (of st's format): AppendRows for one
// row, without its loops.
func gather(b, st *format.Block, i int) {
	b.Times = append(b.Times, st.Times[i])
	for c := range b.Cols {
		if st.Format.Code(c).Variable() {
			b.AppendBytes(c, st.Bytes(c, i))
		} else {
			b.Cols[c].Nums = append(b.Cols[c].Nums, st.Cols[c].Nums[i])
		}
	}
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
