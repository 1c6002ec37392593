package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// Bit packing and the RLE/bit-packed hybrid of the Parquet spec, which
// carries definition levels, booleans and dictionary indices:
//
//	run     = rle-run | packed-run
//	rle-run = varint(count << 1) value          value in ceil(width/8) bytes, little-endian
//	packed  = varint(groups << 1 | 1) bytes     groups of 8 values, width bits each,
//	                                            packed from the low bit of each byte up

// packBits appends vals packed in width bits each, from the low bit up.
// Every value must fit in width bits; len(vals)*width must be a multiple
// of 8.
func packBits(dst []byte, vals []uint64, width uint) []byte {
	var acc uint64
	var n uint // bits held in acc, < 64
	for _, v := range vals {
		acc |= v << n
		if n+width < 64 {
			n += width
			continue
		}
		dst = binary.LittleEndian.AppendUint64(dst, acc)
		acc = v >> (64 - n) // the bits of v that acc had no room for (none when n is 0)
		n = n + width - 64
	}
	for ; n > 0; n -= 8 {
		dst = append(dst, byte(acc))
		acc >>= 8
	}
	return dst
}

// unpackBits fills out with values of width bits packed from the low bit
// up in src, which holds at least packedLen(len(out), width) bytes.
func unpackBits(out []uint64, src []byte, width uint) {
	if width == 0 {
		clear(out)
		return
	}
	mask := uint64(1)<<width - 1 // all ones for 64
	bit := uint(0)
	for i := range out {
		at, shift := bit>>3, bit&7
		var w uint64
		if int(at)+8 <= len(src) {
			w = binary.LittleEndian.Uint64(src[at:])
		} else {
			var tail [8]byte
			copy(tail[:], src[at:])
			w = binary.LittleEndian.Uint64(tail[:])
		}
		v := w >> shift
		if shift+width > 64 {
			v |= uint64(src[at+8]) << (64 - shift)
		}
		out[i] = v & mask
		bit += width
	}
}

// packedLen is the bytes of n values of width bits.
func packedLen(n int, width uint) int { return (n*int(width) + 7) / 8 }

// bitWidth is the bits needed by v.
func bitWidth(v uint64) uint { return uint(bits.Len64(v)) }

// hybridEncoder writes the RLE/bit-packed hybrid: runs of 8 or more equal
// values as RLE runs, the rest bit-packed in groups of 8.
type hybridEncoder struct {
	out     []byte
	width   uint
	pending []uint64 // values not yet written, fewer than maxPending
}

// maxPending is how many literal values wait before they are bit-packed.
const maxPending = 512

func newHybridEncoder(dst []byte, width uint) *hybridEncoder {
	return &hybridEncoder{out: dst, width: width}
}

// run adds n copies of v.
func (e *hybridEncoder) run(v uint64, n int) {
	if n < 8+(8-len(e.pending)%8)%8 {
		for range n {
			e.literal(v)
		}
		return
	}
	// Complete the pending values to groups of 8 from the run, so that
	// the rest goes out as one RLE run.
	for len(e.pending)%8 != 0 {
		e.pending = append(e.pending, v)
		n--
	}
	e.flushPacked()
	e.out = binary.AppendUvarint(e.out, uint64(n)<<1)
	for i := uint(0); i < e.width; i += 8 {
		e.out = append(e.out, byte(v>>i))
	}
}

func (e *hybridEncoder) literal(v uint64) {
	e.pending = append(e.pending, v)
	if len(e.pending) >= maxPending {
		e.flushPacked()
	}
}

// flushPacked writes the pending values as one bit-packed run, padded
// with zeros to a group of 8 (the reader knows the count of values).
func (e *hybridEncoder) flushPacked() {
	if len(e.pending) == 0 {
		return
	}
	for len(e.pending)%8 != 0 {
		e.pending = append(e.pending, 0)
	}
	e.out = binary.AppendUvarint(e.out, uint64(len(e.pending)/8)<<1|1)
	e.out = packBits(e.out, e.pending, e.width)
	e.pending = e.pending[:0]
}

// finish writes what is pending and returns the encoding.
func (e *hybridEncoder) finish() []byte {
	e.flushPacked()
	return e.out
}

var errShort = errors.New("encoded values run past their page")

// hybridDecoder reads the RLE/bit-packed hybrid, a run at a time: it
// never holds more than a group of 8 values, whatever the counts a
// damaged page declares.
type hybridDecoder struct {
	src   []byte
	width uint
	rle   int    // values left in the current RLE run
	value uint64 // its value
	lits  int    // values left in the current bit-packed run
	buf   [8]uint64
	next  int // of buf
}

func newHybridDecoder(src []byte, width uint) (*hybridDecoder, error) {
	if width > 32 {
		return nil, fmt.Errorf("RLE bit width %d, more than 32", width)
	}
	return &hybridDecoder{src: src, width: width, next: 8}, nil
}

// read fills out.
func (d *hybridDecoder) read(out []uint64) error {
	for len(out) > 0 {
		switch {
		case d.rle > 0:
			n := min(d.rle, len(out))
			for i := range n {
				out[i] = d.value
			}
			d.rle -= n
			out = out[n:]
		case d.lits > 0:
			if d.next == 8 {
				if err := d.group(); err != nil {
					return err
				}
			}
			n := copy(out, d.buf[d.next:min(8, d.next+d.lits)])
			d.next += n
			d.lits -= n
			out = out[n:]
		default:
			if err := d.header(); err != nil {
				return err
			}
		}
	}
	return nil
}

// header starts the next run.
func (d *hybridDecoder) header() error {
	h, n := binary.Uvarint(d.src)
	if n <= 0 {
		return errShort
	}
	d.src = d.src[n:]
	if h&1 == 0 {
		size := int(d.width+7) / 8
		if len(d.src) < size || h>>1 == 0 {
			return errShort
		}
		var v uint64
		for i := range size {
			v |= uint64(d.src[i]) << (8 * i)
		}
		if v>>d.width != 0 {
			return fmt.Errorf("RLE value %d wider than %d bits", v, d.width)
		}
		d.src = d.src[size:]
		d.value, d.rle = v, int(min(h>>1, 1<<31))
		return nil
	}
	groups := h >> 1
	if groups == 0 || groups > uint64(len(d.src)) {
		return errShort
	}
	d.lits, d.next = int(groups)*8, 8
	return nil
}

// group unpacks the next 8 values of a bit-packed run. A run cut short by
// the end of the page reads zeros: writers may end the last run early.
func (d *hybridDecoder) group() error {
	size := int(d.width) // 8 values of width bits
	if len(d.src) < size {
		var tail [32]byte
		copy(tail[:], d.src)
		unpackBits(d.buf[:], tail[:size], d.width)
		d.src = nil
	} else {
		unpackBits(d.buf[:], d.src[:size], d.width)
		d.src = d.src[size:]
	}
	d.next = 0
	return nil
}
