package format

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// ErrCorrupt is the one corruption sentinel of chime: every decoder that
// finds bytes a writer cannot have produced (bad checksum, bad length, bad
// codec, value out of range, trailing bytes) returns an error wrapping it, so
// that callers can tell damaged files from I/O and usage errors with
// errors.Is and tell the user which file to check.
var ErrCorrupt = errors.New("corrupt")

// Column streams
//
// encodeTimes and encodeNums write one column of a block as a
// self-describing stream: the first byte names the codec, the rest is its
// payload. The number of values n is not stored: the block header carries
// it, and the decoders are told it (at most 65,536). A decoder consumes its
// whole input (trailing bytes are corruption), allocates at most n values,
// and checks every value against its code: u at most 2^32-1, i a
// sign-extended int32, f with the high 32 bits clear, timestamps strictly
// increasing. Encoders pick a codec per stream; any codec valid for the
// column may appear, so readers must accept them all.
//
// Notation: uvarint is encoding/binary's unsigned varint (at most 10
// bytes); zvarint is the uvarint of the zigzag encoding of an int64 (0, -1,
// 1, -2, ... -> 0, 1, 2, 3, ...); "code-varint" is the uvarint of the value
// for u, U, f and F, and the zvarint of the value as an int64 for i and I.
// Deltas are computed in wrapping 64-bit arithmetic, d[i] = v[i] - v[i-1]
// read as an int64, so that any uint64 sequence has them; decoders add
// them back modulo 2^64.
//
// Bit-packed data is a little-endian bit stream: bit k of the stream is bit
// k%8 of byte k/8, and a field of b bits occupies the next b stream bits,
// least significant bit first. "Packed in w bits" means n fields of w bits
// back to back; a width w is one byte, 0..64, and width 0 takes no bytes. A
// bit stream ends at the first byte boundary after its last field, the
// padding bits being zero (decoders check both).
//
//	id    codec            payload
//	0x00  empty            nothing; the only codec for n = 0, for any column
//
// Timestamps (n >= 1, strictly increasing):
//
//	0x01  constant step    uvarint t[0], uvarint step; t[i] = t[0] + i*step
//	                       (for n >= 2 the step is not 0 and t[n-1] does
//	                       not overflow)
//	0x02  delta-of-delta   uvarint t[0], then for i = 1..n-1 the zvarint of
//	                       dd[i] = d[i] - d[i-1], with d[i] = t[i] - t[i-1]
//	                       and d[0] = 0
//	0x03  packed deltas    uvarint t[0], uvarint m = min d[i], width w,
//	                       then d[i] - m for i = 1..n-1 packed in w bits
//
// Integers (u U i I; values as uint64 bits, see Code):
//
//	0x10  constant         code-varint v[0]; every value equals it
//	0x11  delta varint     code-varint v[0], then the zvarint of d[i] for
//	                       i = 1..n-1
//	0x12  packed deltas    code-varint v[0], zvarint m = min d[i] (as
//	                       int64), width w, then d[i] - m for i = 1..n-1
//	                       packed in w bits
//	0x13  packed values    code-varint b = min v[i] (compared as int64 for
//	                       i and I), width w, then v[i] - b for i = 0..n-1
//	                       packed in w bits (frame of reference, no delta)
//
// Floats (f F; values as math.Float32bits / math.Float64bits; W = 32 for
// f, 64 for F). A float stream may also use any integer codec over the
// bits, read as u for f and as U for F (the encoder uses 0x10 when all
// values are bit for bit equal).
//
//	0x20  decimal          one byte p (0..15), then an integer stream of
//	                       code I, with its own id (0x10..0x13), of the
//	                       int64 k[i]; v[i] = float64(k[i]) / 10^p in
//	                       IEEE double arithmetic (10^p is exact), then
//	                       rounded to float32 for f. The encoder uses it
//	                       only when that gives back every value bit for
//	                       bit (never for NaN, infinities or -0)
//	0x21  Gorilla XOR      a bit stream: v[0] in W bits; then for each
//	                       x = v[i] XOR v[i-1], i = 1..n-1, one of:
//	                         bit 0              x = 0
//	                         bits 1, 0; m       reuse the current window:
//	                                            x = m << t (there must be
//	                                            a window already)
//	                         bits 1, 1; l in 5 bits; len in 6 bits (F) or
//	                         5 bits (f), 0 meaning W; m
//	                                            set the window to l, len
//	                                            (l + len <= W) and
//	                                            t = W - l - len; x = m << t
//	                       where m is a field of len bits (of the current
//	                       window). l is the number of leading zero bits of
//	                       x within W bits, at most 31 (the encoder caps
//	                       it, keeping some zeros in m); the encoder reuses
//	                       the window when x has at least its leading and
//	                       trailing zeros (Facebook's Gorilla, VLDB 2015)
//	0x22  XOR planes       v[0] in W/8 bytes little-endian; one byte mask
//	                       (bits 0..7 for F, 0..3 for f); then for each
//	                       set bit j of the mask, from the highest down,
//	                       the n-1 bytes of plane j: byte j (bits 8j..8j+7)
//	                       of x[i] = v[i] XOR v[i-1] for i = 1..n-1. The
//	                       planes of clear bits are all zero. Compact by
//	                       itself only when planes are absent; it lays out
//	                       alike bytes for the block's zstd pass
//	0x23  raw              the n values in W/8 bytes each, little-endian
const (
	codecEmpty = 0x00

	timesConstStep = 0x01
	timesDeltaVar  = 0x02
	timesPacked    = 0x03

	intConst       = 0x10
	intDeltaVar    = 0x11
	intDeltaPacked = 0x12
	intPacked      = 0x13

	floatDecimal = 0x20
	floatGorilla = 0x21
	floatPlanes  = 0x22
	floatRaw     = 0x23
)

// maxStreamValues bounds n for the decoders, so that a corrupt row count
// cannot make them allocate more than a block's worth of values.
const maxStreamValues = 1 << 16

// encodeTimes appends a self-describing encoding of ts to dst: the codec id
// and its payload, choosing the smallest codec. ts must be strictly
// increasing; other inputs still round-trip but do not decode (the decoder
// enforces the order).
func encodeTimes(dst []byte, ts []uint64) []byte {
	if len(ts) == 0 {
		return append(dst, codecEmpty)
	}
	return appendTimes(dst, ts)
}

// decodeTimes decodes exactly n timestamps from src, which it consumes
// whole, appending them to dst. On error it returns dst as it was (its
// spare capacity may have been written).
func decodeTimes(dst []uint64, src []byte, n int) ([]uint64, error) {
	if err := checkStream(src, n); err != nil || n == 0 {
		return dst, wrapStream("timestamp", err)
	}
	out, err := readTimes(dst, src, n)
	if err != nil {
		return dst, wrapStream("timestamp", err)
	}
	return out, nil
}

// encodeNums appends a self-describing encoding of v, a column of the
// numeric code c whose values fit c (see Code for the bits), to dst,
// choosing the codec that should make the block smallest once the block
// writer has compressed it (see pickFloat).
func encodeNums(dst []byte, c Code, v []uint64) []byte {
	switch {
	case len(v) == 0:
		return append(dst, codecEmpty)
	case c.Float():
		return appendFloats(dst, c, v)
	default:
		return appendInts(dst, c, v)
	}
}

// decodeNums decodes exactly n values of the numeric code c from src, which
// it consumes whole, appending them to dst. On error it returns dst as it
// was (its spare capacity may have been written).
func decodeNums(dst []uint64, src []byte, c Code, n int) ([]uint64, error) {
	if !c.Valid() || c.Variable() {
		return dst, corrupt("numeric stream of code %q", byte(c))
	}
	if err := checkStream(src, n); err != nil || n == 0 {
		return dst, wrapStream(string(c), err)
	}
	read := readInts
	if c.Float() {
		read = readFloats
	}
	out, err := read(dst, src, c, n)
	if err != nil {
		return dst, wrapStream(string(c), err)
	}
	return out, nil
}

// checkStream checks what every stream shares: a codec id, a sane n, and
// the empty codec exactly when n = 0.
func checkStream(src []byte, n int) error {
	switch {
	case n < 0 || n > maxStreamValues:
		return corrupt("%d values, at most %d", n, maxStreamValues)
	case len(src) == 0:
		return corrupt("empty stream")
	case (n == 0) != (src[0] == codecEmpty):
		return corrupt("codec %#x for %d values", src[0], n)
	case n == 0 && len(src) != 1:
		return corrupt("%d trailing bytes", len(src)-1)
	}
	return nil
}

// wrapStream names the column kind in a decoding error.
func wrapStream(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s stream: %w", what, err)
}

// corrupt returns an error wrapping ErrCorrupt.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// zigzag maps small negative and positive int64s to small uint64s, so that
// both take few varint bytes.
func zigzag(x int64) uint64 { return uint64(x<<1) ^ uint64(x>>63) }

// unzigzag inverts zigzag.
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// uvarintLen is the number of bytes of binary.AppendUvarint(nil, x).
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// packedLen is the number of bytes of n values packed in w bits.
func packedLen(n int, w uint) int { return (n*int(w) + 7) / 8 }

// byteReader reads the byte-aligned parts of a stream, remembering the
// first error so that callers check once.
type byteReader struct {
	src []byte
	err error
}

// uvarint reads one uvarint.
func (r *byteReader) uvarint() uint64 {
	x, k := binary.Uvarint(r.src)
	if k <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.src = r.src[k:]
	return x
}

// byte reads one byte.
func (r *byteReader) byte() byte {
	if len(r.src) == 0 {
		r.fail("truncated")
		return 0
	}
	b := r.src[0]
	r.src = r.src[1:]
	return b
}

// width reads a bit width, 0..64.
func (r *byteReader) width() uint {
	w := r.byte()
	if w > 64 {
		r.fail("bit width %d", w)
		return 0
	}
	return uint(w)
}

// fail records the first error.
func (r *byteReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = corrupt(format, args...)
	}
}

// rest returns the unread bytes, which must be exactly want long.
func (r *byteReader) rest(want int) []byte {
	if r.err == nil && len(r.src) != want {
		r.fail("%d bytes of packed data, want %d", len(r.src), want)
	}
	return r.src
}

// end reports the first error, or trailing bytes.
func (r *byteReader) end() error {
	if r.err == nil && len(r.src) != 0 {
		r.fail("%d trailing bytes", len(r.src))
	}
	return r.err
}
