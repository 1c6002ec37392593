package text

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/decimal"
)

// The reasons a value token is rejected. They are wrapped with the token and
// its column by the line parser; only the range error carries bounds.
var (
	errNotUint   = errors.New("invalid unsigned integer")
	errNotInt    = errors.New("invalid integer")
	errNotFloat  = errors.New("invalid float")
	errNotBase64 = errors.New("invalid base64")
	errNotNanos  = errors.New("invalid nanoseconds")
	errBadRange  = errors.New("out of range")
)

// Strict decoders, so that a B value has one spelling apart from its
// padding, built once because Strict allocates.
var (
	base64Padded = base64.StdEncoding.Strict()
	base64Raw    = base64.RawStdEncoding.Strict()
)

// rangeError says which values code c accepts.
func rangeError(c format.Code) error {
	var lo, hi string
	switch c {
	case format.U32:
		lo, hi = "0", "4294967295"
	case format.U64:
		lo, hi = "0", "18446744073709551615"
	case format.I32:
		lo, hi = "-2147483648", "2147483647"
	case format.I64:
		lo, hi = "-9223372036854775808", "9223372036854775807"
	case format.F32:
		return fmt.Errorf("%w for float32", errBadRange)
	default:
		return fmt.Errorf("%w for float64", errBadRange)
	}
	return fmt.Errorf("%w (%s to %s)", errBadRange, lo, hi)
}

// parseDigits parses a non-empty run of decimal digits no greater than maxVal.
// Leading zeros are allowed, signs are not. It reports errNotUint for a
// token that is not all digits and errBadRange for one that is too large.
// Up to 19 digits cannot overflow; they are read eight at a time, since
// nanosecond timestamps have 19.
func parseDigits(tok []byte, maxVal uint64) (uint64, error) {
	if len(tok) == 0 || len(tok) > 19 {
		return parseLongDigits(tok, maxVal)
	}
	var n uint64
	for len(tok) >= 8 {
		v, ok := parse8Digits(tok)
		if !ok {
			return 0, errNotUint
		}
		n = n*1e8 + v
		tok = tok[8:]
	}
	for _, c := range tok {
		d := uint64(c - '0')
		if d > 9 {
			return 0, errNotUint
		}
		n = n*10 + d
	}
	if n > maxVal {
		return 0, errBadRange
	}
	return n, nil
}

// parse8Digits parses the eight bytes at the start of b, which must all be
// decimal digits, at once in the lanes of a uint64 (SWAR, as in simdjson's
// parse_eight_digits_unrolled).
func parse8Digits(b []byte) (uint64, bool) {
	v := binary.LittleEndian.Uint64(b)
	// A digit is 0x30 to 0x39: high nibble 3, and adding 6 keeps it 3.
	const hi = 0xf0f0f0f0f0f0f0f0
	if v&hi|((v+0x0606060606060606)&hi)>>4 != 0x3333333333333333 {
		return 0, false
	}
	v -= 0x3030303030303030
	v = v*10 + v>>8 // pairs of digits in every other byte
	// Then combine the four pairs with their weights in one multiply each.
	const lane = 0x000000ff000000ff
	v = ((v&lane)*(100+1000000<<32) + ((v>>16)&lane)*(1+10000<<32)) >> 32
	return v, true
}

// parseLongDigits is parseDigits for tokens that may overflow uint64 (or
// are empty): zero-padded numbers and out-of-range ones.
func parseLongDigits(tok []byte, maxVal uint64) (uint64, error) {
	if len(tok) == 0 {
		return 0, errNotUint
	}
	for _, c := range tok {
		if c < '0' || c > '9' {
			return 0, errNotUint
		}
	}
	var n uint64
	for _, c := range tok {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, errBadRange
		}
		n = n*10 + d
	}
	if n > maxVal {
		return 0, errBadRange
	}
	return n, nil
}

// parseUint parses a u or U value: an optional '+' and digits.
func parseUint(tok []byte, maxVal uint64) (uint64, error) {
	if len(tok) > 0 && tok[0] == '+' {
		tok = tok[1:]
	}
	return parseDigits(tok, maxVal)
}

// parseInt parses an i or I value, an optional sign and digits, whose
// magnitude is at most maxVal (or maxVal+1 when negative), and returns its
// two's complement bits.
func parseInt(tok []byte, maxVal uint64) (uint64, error) {
	neg := false
	if len(tok) > 0 && (tok[0] == '+' || tok[0] == '-') {
		neg = tok[0] == '-'
		tok = tok[1:]
	}
	limit := maxVal
	if neg {
		limit++
	}
	n, err := parseDigits(tok, limit)
	if err == errNotUint {
		return 0, errNotInt
	}
	if neg {
		n = -n
	}
	return n, err
}

// ParseNanos parses a timestamp in integer nanoseconds since the epoch, the
// add input's default: an optional '+' and decimal digits, at most
// 18446744073709551615. It is what LineParser uses when ParseTime is nil.
func ParseNanos(tok []byte) (uint64, error) {
	n, err := parseUint(tok, math.MaxUint64)
	if err == errNotUint {
		return 0, errNotNanos
	}
	if err != nil {
		return 0, rangeError(format.U64)
	}
	return n, nil
}

// parseNum parses a value of the numeric code c into its bits (see Code).
func parseNum(c format.Code, tok []byte) (uint64, error) {
	var n uint64
	var err error
	switch c {
	case format.U32:
		n, err = parseUint(tok, math.MaxUint32)
	case format.U64:
		n, err = parseUint(tok, math.MaxUint64)
	case format.I32:
		n, err = parseInt(tok, math.MaxInt32)
	case format.I64:
		n, err = parseInt(tok, math.MaxInt64)
	case format.F32, format.F64:
		return parseFloat(c, tok)
	default:
		return 0, fmt.Errorf("%w: %q is not a numeric code", format.ErrFormat, rune(c))
	}
	if err == errBadRange {
		return 0, rangeError(c)
	}
	return n, err
}

// appendBase64 decodes the B token tok onto dst. Padded and unpadded input
// are both accepted (sonnerie wrote unpadded); line breaks are not, although
// the decoder would skip them, since they can only come from escapes.
func appendBase64(dst, tok []byte) ([]byte, error) {
	for _, c := range tok {
		if c == '\r' || c == '\n' {
			return dst, errNotBase64
		}
	}
	enc := base64Raw
	if len(tok) > 0 && tok[len(tok)-1] == '=' {
		enc = base64Padded
	}
	n := len(dst)
	dst, err := enc.AppendDecode(dst, tok)
	if err != nil {
		return dst[:n], errNotBase64
	}
	return dst, nil
}

// AppendValue appends the text of one value of code c, as read prints it:
// integers in decimal, floats with exactly 17 digits after the point (see
// appendFloat17), s escaped (see AppendEscaped) and B in padded base64.
// num holds a numeric value's bits (see Code), b a variable one.
func AppendValue(dst []byte, c format.Code, num uint64, b []byte) []byte {
	switch c {
	case format.U32, format.U64:
		return decimal.AppendUint(dst, num)
	case format.I32, format.I64:
		return strconv.AppendInt(dst, int64(num), 10)
	case format.F32:
		return appendFloat17(dst, float64(math.Float32frombits(uint32(num))))
	case format.F64:
		return appendFloat17(dst, math.Float64frombits(num))
	case format.Str:
		return AppendEscaped(dst, b)
	case format.Bin:
		return base64.StdEncoding.AppendEncode(dst, b)
	}
	panic("format: AppendValue of invalid code " + strconv.Quote(string(rune(c))))
}
