package codec

import (
	"fmt"
	"math/bits"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/wire"
)

// ErrCorrupt is wrapped by the error of every stream a writer cannot have
// produced. It is segment.ErrCorrupt, chime's one corruption sentinel,
// declared below both (package wire).
var ErrCorrupt = wire.ErrCorrupt

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

// AppendTimes appends a self-describing encoding of ts to dst: the codec id
// and its payload, choosing the smallest codec. ts must be strictly
// increasing; other inputs still round-trip but do not decode (the decoder
// enforces the order).
func AppendTimes(dst []byte, ts []uint64) []byte {
	if len(ts) == 0 {
		return append(dst, codecEmpty)
	}
	return appendTimes(dst, ts)
}

// DecodeTimes decodes exactly n timestamps from src, which it consumes
// whole, appending them to dst. On error it returns dst as it was (its
// spare capacity may have been written).
func DecodeTimes(dst []uint64, src []byte, n int) ([]uint64, error) {
	if err := checkStream(src, n); err != nil || n == 0 {
		return dst, wrapStream("timestamp", err)
	}
	out, err := readTimes(dst, src, n)
	if err != nil {
		return dst, wrapStream("timestamp", err)
	}
	return out, nil
}

// AppendNums appends a self-describing encoding of v, a column of the
// numeric code c whose values fit c (see Code for the bits), to dst,
// choosing the codec that should make the block smallest once the block
// writer has compressed it (see pickFloat).
func AppendNums(dst []byte, c format.Code, v []uint64) []byte {
	switch {
	case len(v) == 0:
		return append(dst, codecEmpty)
	case c.Float():
		return appendFloats(dst, c, v)
	default:
		return appendInts(dst, c, v)
	}
}

// DecodeNums decodes exactly n values of the numeric code c from src, which
// it consumes whole, appending them to dst. On error it returns dst as it
// was (its spare capacity may have been written).
func DecodeNums(dst []uint64, src []byte, c format.Code, n int) ([]uint64, error) {
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

// byteReader reads the byte-aligned parts of a stream (see wire.Reader).
type byteReader struct{ wire.Reader }

func newByteReader(src []byte) byteReader { return byteReader{wire.Reader{Buf: src}} }

// width reads a bit width, 0..64.
func (r *byteReader) width() uint {
	w := r.Byte()
	if w > 64 {
		r.Fail("bit width %d", w)
		return 0
	}
	return uint(w)
}

// rest returns the unread bytes, which must be exactly want long.
func (r *byteReader) rest(want int) []byte {
	if rest := r.Rest(); r.Err == nil && len(rest) != want {
		r.Fail("%d bytes of packed data, want %d", len(rest), want)
	}
	return r.Rest()
}
