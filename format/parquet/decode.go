package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"

	pqformat "github.com/parquet-go/parquet-go/format"
)

// The value encodings a data page may use, decoded a batch at a time into
// chime's bits (format.Code): INT32 sign-extended to 64 bits, FLOAT as its
// 32 bits, BOOLEAN as 0 or 1, the byte types as slices of the page (valid
// while the page is, which the reader keeps until it is done with it).

// valueDecoder decodes the next len(out) non-null values of a page.
type valueDecoder interface {
	nums(out []uint64) error
	bytes(out [][]byte) error
}

// physical is what decoding needs of a column's type.
type physical struct {
	typ    pqformat.Type
	size   int // of a FIXED_LEN_BYTE_ARRAY
	maxLen int // longest BYTE_ARRAY value accepted
}

// width is the bytes of one PLAIN value of a fixed-size type, 0 for
// BOOLEAN and BYTE_ARRAY.
func (p physical) width() int {
	switch p.typ {
	case pqformat.Int32, pqformat.Float:
		return 4
	case pqformat.Int64, pqformat.Double:
		return 8
	case pqformat.Int96:
		return 12
	case pqformat.FixedLenByteArray:
		return p.size
	}
	return 0
}

var errNotNumbers = errors.New("values are not numbers")
var errNotBytes = errors.New("values are not byte strings")

// newValueDecoder returns the decoder of the values src holds in encoding
// enc: at most count of them (the page's values, nulls included).
func newValueDecoder(enc pqformat.Encoding, p physical, src []byte, count int, dict *dictionary) (valueDecoder, error) {
	switch enc {
	case pqformat.Plain:
		return &plainDecoder{src: src, p: p}, nil
	case pqformat.PlainDictionary, pqformat.RLEDictionary:
		return newDictDecoder(src, dict)
	case pqformat.RLE:
		if p.typ != pqformat.Boolean || len(src) < 4 || int(binary.LittleEndian.Uint32(src)) > len(src)-4 {
			return nil, fmt.Errorf("RLE values of type %s", p.typ)
		}
		h, err := newHybridDecoder(src[4:4+binary.LittleEndian.Uint32(src)], 1)
		return &hybridValues{h: h}, err
	case pqformat.DeltaBinaryPacked:
		if p.typ != pqformat.Int32 && p.typ != pqformat.Int64 {
			return nil, fmt.Errorf("DELTA_BINARY_PACKED values of type %s", p.typ)
		}
		d, err := newDeltaDecoder(src, count)
		return &deltaValues{d: d, int32: p.typ == pqformat.Int32}, err
	case pqformat.DeltaLengthByteArray:
		return newDeltaLengthDecoder(src, count, p.maxLen)
	case pqformat.DeltaByteArray:
		return newDeltaByteArrayDecoder(src, count, p.maxLen)
	case pqformat.ByteStreamSplit:
		return newSplitDecoder(src, p)
	}
	return nil, fmt.Errorf("encoding %s is not one chime reads", enc)
}

// plainDecoder reads PLAIN values.
type plainDecoder struct {
	src []byte
	p   physical
	bit int // of src[0], for BOOLEAN
}

func (d *plainDecoder) nums(out []uint64) error {
	w := d.p.width()
	if d.p.typ == pqformat.Boolean {
		return d.booleans(out)
	}
	if w != 4 && w != 8 || d.p.typ == pqformat.FixedLenByteArray {
		return errNotNumbers
	}
	if len(d.src) < w*len(out) {
		return errShort
	}
	for i := range out {
		if w == 4 {
			out[i] = uint64(binary.LittleEndian.Uint32(d.src[4*i:]))
		} else {
			out[i] = binary.LittleEndian.Uint64(d.src[8*i:])
		}
	}
	if d.p.typ == pqformat.Int32 {
		signExtend(out)
	}
	d.src = d.src[w*len(out):]
	return nil
}

// signExtend widens INT32 values to 64 bits.
func signExtend(out []uint64) {
	for i, v := range out {
		out[i] = uint64(int64(int32(v)))
	}
}

func (d *plainDecoder) booleans(out []uint64) error {
	if len(d.src)*8-d.bit < len(out) {
		return errShort
	}
	for i := range out {
		out[i] = uint64(d.src[0]>>d.bit) & 1
		if d.bit++; d.bit == 8 {
			d.src, d.bit = d.src[1:], 0
		}
	}
	return nil
}

func (d *plainDecoder) bytes(out [][]byte) error {
	if d.p.typ == pqformat.ByteArray {
		return d.byteArrays(out)
	}
	w := d.p.width()
	if w == 0 || d.p.typ != pqformat.FixedLenByteArray && d.p.typ != pqformat.Int96 {
		return errNotBytes
	}
	if len(d.src) < w*len(out) {
		return errShort
	}
	for i := range out {
		out[i] = d.src[i*w : (i+1)*w : (i+1)*w]
	}
	d.src = d.src[w*len(out):]
	return nil
}

func (d *plainDecoder) byteArrays(out [][]byte) error {
	for i := range out {
		if len(d.src) < 4 {
			return errShort
		}
		n := binary.LittleEndian.Uint32(d.src)
		if uint64(n) > uint64(len(d.src)-4) {
			return errShort
		}
		if int(n) > d.p.maxLen {
			return fmt.Errorf("value of %d bytes, more than %d", n, d.p.maxLen)
		}
		out[i] = d.src[4 : 4+n : 4+n]
		d.src = d.src[4+n:]
	}
	return nil
}

// dictionary is the values of a dictionary page.
type dictionary struct {
	num []uint64
	b   [][]byte
}

// readDictionary decodes a dictionary page of count PLAIN values. Every
// value takes at least a byte, so count is bounded by the page's bytes
// before anything is allocated.
func readDictionary(src []byte, count int, p physical) (*dictionary, error) {
	minSize := max(p.width(), 1)
	if p.typ == pqformat.ByteArray {
		minSize = 4
	}
	if count < 0 || count > len(src)/minSize || p.typ == pqformat.Boolean {
		return nil, fmt.Errorf("dictionary of %d %s values in %d bytes", count, p.typ, len(src))
	}
	d := &plainDecoder{src: src, p: p}
	dict := &dictionary{}
	if p.typ == pqformat.ByteArray || p.typ == pqformat.FixedLenByteArray || p.typ == pqformat.Int96 {
		dict.b = make([][]byte, count)
		return dict, d.bytes(dict.b)
	}
	dict.num = make([]uint64, count)
	return dict, d.nums(dict.num)
}

// dictDecoder reads dictionary indices and returns the values they name.
type dictDecoder struct {
	idx  *hybridDecoder
	dict *dictionary
	buf  []uint64
}

func newDictDecoder(src []byte, dict *dictionary) (*dictDecoder, error) {
	if dict == nil {
		return nil, errors.New("dictionary-encoded page without a dictionary page")
	}
	if len(src) == 0 {
		return nil, errShort
	}
	h, err := newHybridDecoder(src[1:], uint(src[0]))
	return &dictDecoder{idx: h, dict: dict}, err
}

// indices reads n indices, each checked against the dictionary's size.
func (d *dictDecoder) indices(n, size int) ([]uint64, error) {
	if cap(d.buf) < n {
		d.buf = make([]uint64, n)
	}
	buf := d.buf[:n]
	if err := d.idx.read(buf); err != nil {
		return nil, err
	}
	for _, i := range buf {
		if i >= uint64(size) {
			return nil, fmt.Errorf("dictionary index %d of a dictionary of %d values", i, size)
		}
	}
	return buf, nil
}

func (d *dictDecoder) nums(out []uint64) error {
	if d.dict.num == nil && len(d.dict.b) > 0 {
		return errNotNumbers
	}
	idx, err := d.indices(len(out), len(d.dict.num))
	for i, x := range idx {
		out[i] = d.dict.num[x]
	}
	return err
}

func (d *dictDecoder) bytes(out [][]byte) error {
	if d.dict.b == nil && len(d.dict.num) > 0 {
		return errNotBytes
	}
	idx, err := d.indices(len(out), len(d.dict.b))
	for i, x := range idx {
		out[i] = d.dict.b[x]
	}
	return err
}

// hybridValues reads BOOLEAN values in the RLE encoding.
type hybridValues struct{ h *hybridDecoder }

func (d *hybridValues) nums(out []uint64) error { return d.h.read(out) }
func (d *hybridValues) bytes([][]byte) error    { return errNotBytes }

// deltaValues reads integers DELTA_BINARY_PACKED.
type deltaValues struct {
	d     *deltaDecoder
	int32 bool
}

func (d *deltaValues) nums(out []uint64) error {
	err := d.d.read(out)
	if d.int32 {
		signExtend(out)
	}
	return err
}

func (d *deltaValues) bytes([][]byte) error { return errNotBytes }

// splitDecoder reads BYTE_STREAM_SPLIT values: byte j of value i is at
// j*n + i, for n values of width bytes.
type splitDecoder struct {
	src   []byte
	p     physical
	n, at int
	width int
}

func newSplitDecoder(src []byte, p physical) (*splitDecoder, error) {
	w := p.width()
	if w == 0 || len(src)%w != 0 || p.typ == pqformat.Int96 {
		return nil, fmt.Errorf("BYTE_STREAM_SPLIT of %d bytes for type %s", len(src), p.typ)
	}
	return &splitDecoder{src: src, p: p, n: len(src) / w, width: w}, nil
}

func (d *splitDecoder) nums(out []uint64) error {
	if d.p.typ == pqformat.FixedLenByteArray {
		return errNotNumbers
	}
	if d.n-d.at < len(out) {
		return errShort
	}
	for i := range out {
		var v uint64
		for j := range d.width {
			v |= uint64(d.src[j*d.n+d.at]) << (8 * j)
		}
		out[i] = v
		d.at++
	}
	if d.p.typ == pqformat.Int32 {
		signExtend(out)
	}
	return nil
}

func (d *splitDecoder) bytes(out [][]byte) error {
	if d.p.typ != pqformat.FixedLenByteArray {
		return errNotBytes
	}
	if d.n-d.at < len(out) {
		return errShort
	}
	buf := make([]byte, len(out)*d.width)
	for i := range out {
		v := buf[i*d.width : (i+1)*d.width : (i+1)*d.width]
		for j := range v {
			v[j] = d.src[j*d.n+d.at]
		}
		out[i] = v
		d.at++
	}
	return nil
}
