package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// DELTA_BINARY_PACKED, chime's encoding of times and integers:
//
//	header = varint(block size) varint(miniblocks per block) varint(count) zigzag(first value)
//	block  = zigzag(min delta) [miniblocks]byte(bit widths) miniblocks
//
// each miniblock holding block size / miniblocks deltas less the min
// delta, bit-packed. Arithmetic wraps: in 32 bits for INT32 columns, in 64
// for INT64 ones, and the reader's 64-bit wrap truncated to 32 bits gives
// the same values either way.

const (
	deltaBlock      = 128
	deltaMiniblocks = 4
	deltaMini       = deltaBlock / deltaMiniblocks
)

// appendDelta appends vals DELTA_BINARY_PACKED; width32 wraps the deltas
// in 32 bits (an INT32 column, vals sign-extended).
func appendDelta(dst []byte, vals []int64, width32 bool) []byte {
	dst = binary.AppendUvarint(dst, deltaBlock)
	dst = binary.AppendUvarint(dst, deltaMiniblocks)
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	if len(vals) == 0 {
		return binary.AppendVarint(dst, 0)
	}
	dst = binary.AppendVarint(dst, vals[0])
	var deltas [deltaBlock]uint64
	for i := 1; i < len(vals); i += deltaBlock {
		dst = appendDeltaBlock(dst, vals[i-1:min(len(vals), i+deltaBlock)], &deltas, width32)
	}
	return dst
}

// appendDeltaBlock appends the block of the deltas between the values of
// prevVals (the value before the block, then up to deltaBlock values).
func appendDeltaBlock(dst []byte, prevVals []int64, deltas *[deltaBlock]uint64, width32 bool) []byte {
	n := len(prevVals) - 1
	minDelta := int64(math.MaxInt64)
	for i := range n {
		d := prevVals[i+1] - prevVals[i]
		if width32 {
			d = int64(int32(d))
		}
		deltas[i] = uint64(d)
		minDelta = min(minDelta, d)
	}
	if width32 {
		minDelta = int64(int32(minDelta))
	}
	dst = binary.AppendVarint(dst, minDelta)
	var widths [deltaMiniblocks]uint
	for i := range n {
		d := deltas[i] - uint64(minDelta)
		if width32 {
			d = uint64(uint32(d))
		}
		deltas[i] = d
		widths[i/deltaMini] = max(widths[i/deltaMini], bitWidth(d))
	}
	clear(deltas[n:])
	for _, w := range widths {
		dst = append(dst, byte(w))
	}
	for m := 0; m*deltaMini < n; m++ {
		dst = packBits(dst, deltas[m*deltaMini:(m+1)*deltaMini], widths[m])
	}
	return dst
}

// deltaDecoder reads DELTA_BINARY_PACKED values 32 deltas at a time.
type deltaDecoder struct {
	src      []byte
	left     int    // values not yet returned
	last     uint64 // the previous value
	first    bool   // the first value is still to return
	minDelta uint64
	widths   []byte // of the current block's miniblocks still to start
	width    uint   // of the current miniblock
	miniLeft int    // values of the current miniblock not yet unpacked
	buf      [32]uint64
	next     int // of buf; len(buf) when empty
	perMini  int // values per miniblock, a multiple of 32
	groups   int // miniblocks per block
}

var errDeltaHeader = errors.New("bad DELTA_BINARY_PACKED header")

// newDeltaDecoder reads the header at the start of src. max bounds the
// count of values it may declare.
func newDeltaDecoder(src []byte, max int) (*deltaDecoder, error) {
	var h [3]uint64
	for i := range h {
		v, n := binary.Uvarint(src)
		if n <= 0 {
			return nil, errDeltaHeader
		}
		h[i], src = v, src[n:]
	}
	first, n := binary.Varint(src)
	if n <= 0 {
		return nil, errDeltaHeader
	}
	block, groups, count := h[0], h[1], h[2]
	if block == 0 || block%128 != 0 || block > 1<<16 || groups == 0 || block%groups != 0 || (block/groups)%32 != 0 || count > uint64(max) {
		return nil, fmt.Errorf("%w: blocks of %d values in %d miniblocks, %d values", errDeltaHeader, block, groups, count)
	}
	return &deltaDecoder{src: src[n:], left: int(count), last: uint64(first), first: count > 0,
		groups: int(groups), perMini: int(block / groups), next: 32}, nil
}

// read fills out, which may not ask for more values than remain.
func (d *deltaDecoder) read(out []uint64) error {
	if len(out) > d.left {
		return errShort
	}
	d.left -= len(out)
	if len(out) > 0 && d.first {
		d.first = false
		out[0] = d.last
		out = out[1:]
	}
	for i := range out {
		if d.next == len(d.buf) {
			if err := d.unpack(); err != nil {
				return err
			}
		}
		d.last += d.buf[d.next] + d.minDelta
		d.next++
		out[i] = d.last
	}
	return nil
}

// unpack fills buf with the next 32 deltas less the min delta, starting
// a miniblock or a block as needed. A miniblock cut short by the end of
// the page reads zeros.
func (d *deltaDecoder) unpack() error {
	if d.miniLeft == 0 {
		if err := d.nextMiniblock(); err != nil {
			return err
		}
	}
	size := packedLen(32, d.width)
	src := d.src
	if len(src) < size {
		var tail [256]byte
		copy(tail[:], src)
		src = tail[:size]
	}
	unpackBits(d.buf[:], src[:size], d.width)
	d.src = d.src[min(size, len(d.src)):]
	d.miniLeft -= 32
	d.next = 0
	return nil
}

// nextMiniblock starts the next miniblock, reading a block header when
// the block is done.
func (d *deltaDecoder) nextMiniblock() error {
	if len(d.widths) == 0 {
		v, n := binary.Varint(d.src)
		if n <= 0 || len(d.src)-n < d.groups {
			return errShort
		}
		d.minDelta = uint64(v)
		d.widths = d.src[n : n+d.groups]
		d.src = d.src[n+d.groups:]
	}
	if d.widths[0] > 64 {
		return fmt.Errorf("delta bit width %d, more than 64", d.widths[0])
	}
	d.width = uint(d.widths[0])
	d.widths = d.widths[1:]
	d.miniLeft = d.perMini
	return nil
}

// skip reads past the remaining values without keeping them, and returns
// the bytes after them: DELTA_LENGTH_BYTE_ARRAY puts its bytes there.
func (d *deltaDecoder) skip() ([]byte, error) {
	if d.first {
		d.first = false
		d.left--
	}
	// The values in buf are already read past.
	left := d.left - min(d.left, len(d.buf)-d.next)
	for left > 0 {
		if d.miniLeft == 0 {
			if err := d.nextMiniblock(); err != nil {
				return nil, err
			}
		}
		size := packedLen(d.miniLeft, d.width)
		if len(d.src) < size {
			return nil, errShort
		}
		d.src = d.src[size:]
		left -= min(left, d.miniLeft)
		d.miniLeft = 0
	}
	d.left = 0
	return d.src, nil
}

// deltaLengthDecoder reads DELTA_LENGTH_BYTE_ARRAY: the lengths of all
// values DELTA_BINARY_PACKED, then their bytes one after another.
type deltaLengthDecoder struct {
	lens   *deltaDecoder
	data   []byte
	maxLen int
	buf    []uint64
}

// newDeltaLengthDecoder finds the bytes after the lengths by reading past
// them once (without keeping them), then reads them again as it goes.
func newDeltaLengthDecoder(src []byte, count, maxLen int) (*deltaLengthDecoder, error) {
	skip, err := newDeltaDecoder(src, count)
	if err != nil {
		return nil, err
	}
	data, err := skip.skip()
	if err != nil {
		return nil, err
	}
	lens, _ := newDeltaDecoder(src, count)
	return &deltaLengthDecoder{lens: lens, data: data, maxLen: maxLen}, nil
}

func (d *deltaLengthDecoder) nums([]uint64) error { return errNotNumbers }

func (d *deltaLengthDecoder) bytes(out [][]byte) error {
	if cap(d.buf) < len(out) {
		d.buf = make([]uint64, len(out))
	}
	lens := d.buf[:len(out)]
	if err := d.lens.read(lens); err != nil {
		return err
	}
	for i, n := range lens {
		if n > uint64(d.maxLen) {
			return fmt.Errorf("value of %d bytes, more than %d", int64(n), d.maxLen)
		}
		if n > uint64(len(d.data)) {
			return errShort
		}
		out[i] = d.data[:n:n]
		d.data = d.data[n:]
	}
	return nil
}

// deltaByteArrayDecoder reads DELTA_BYTE_ARRAY: the lengths of the
// prefixes each value shares with the one before, DELTA_BINARY_PACKED,
// then the rest of each value as DELTA_LENGTH_BYTE_ARRAY. Values are
// built, so their total is bounded by maxPageBytes: prefixes could
// otherwise grow a small page quadratically.
type deltaByteArrayDecoder struct {
	prefixes *deltaDecoder
	suffixes *deltaLengthDecoder
	prev     []byte
	total    int
	maxLen   int
	buf      []uint64
	sbuf     [][]byte
}

func newDeltaByteArrayDecoder(src []byte, count, maxLen int) (*deltaByteArrayDecoder, error) {
	skip, err := newDeltaDecoder(src, count)
	if err != nil {
		return nil, err
	}
	rest, err := skip.skip()
	if err != nil {
		return nil, err
	}
	prefixes, _ := newDeltaDecoder(src, count)
	suffixes, err := newDeltaLengthDecoder(rest, count, maxLen)
	return &deltaByteArrayDecoder{prefixes: prefixes, suffixes: suffixes, maxLen: maxLen}, err
}

func (d *deltaByteArrayDecoder) nums([]uint64) error { return errNotNumbers }

func (d *deltaByteArrayDecoder) bytes(out [][]byte) error {
	if cap(d.buf) < len(out) {
		d.buf, d.sbuf = make([]uint64, len(out)), make([][]byte, len(out))
	}
	pre, suf := d.buf[:len(out)], d.sbuf[:len(out)]
	if err := d.prefixes.read(pre); err != nil {
		return err
	}
	if err := d.suffixes.bytes(suf); err != nil {
		return err
	}
	for i, p := range pre {
		if p > uint64(len(d.prev)) {
			return fmt.Errorf("prefix of %d bytes of a value of %d", int64(p), len(d.prev))
		}
		n := int(p) + len(suf[i])
		if n > d.maxLen {
			return fmt.Errorf("value of %d bytes, more than %d", n, d.maxLen)
		}
		if d.total += n; d.total > maxPageBytes {
			return fmt.Errorf("values of more than %d bytes in one page", maxPageBytes)
		}
		v := make([]byte, n)
		copy(v, d.prev[:p])
		copy(v[p:], suf[i])
		out[i], d.prev = v, v
	}
	return nil
}
