package text

import (
	"math"

	"github.com/chime-tsdb/chime/format"
)

// The plain path of LineParser: nanosecond timestamps and u, U, i and I
// values are mostly plain digits, and f and F values short decimals,
// which are read here straight from the line, without first cutting the
// token out (NextToken) and then parsing it: the two passes and their
// calls were a third of add -f u. Anything else (an escape, a letter, 20
// digits or more, a value out of the column's range) goes the general
// way, which gives the same value or the error message.

// maxPlainDigits is the most digits of a plain integer: every 19-digit
// number fits in a uint64.
const maxPlainDigits = 19

// plainInt reads, after the blanks at the start of rest, an optional
// sign and 1 to 19 digits ending at a blank or the end of rest. It
// returns their value, whether the sign was '-', and what follows them.
func plainInt(rest []byte) (n uint64, neg bool, after []byte, ok bool) {
	i := 0
	for i < len(rest) && isBlank(rest[i]) {
		i++
	}
	if i < len(rest) && (rest[i] == '+' || rest[i] == '-') {
		neg = rest[i] == '-'
		i++
	}
	start := i
	end := min(len(rest), start+maxPlainDigits) // a digit at end: too many
	for end-i >= 8 {
		v, ok := parse8Digits(rest[i:])
		if !ok {
			break
		}
		n, i = n*1e8+v, i+8
	}
	for ; i < end; i++ {
		d := uint64(rest[i] - '0')
		if d > 9 {
			break
		}
		n = n*10 + d
	}
	if i == start || i < len(rest) && !isBlank(rest[i]) {
		return 0, false, nil, false
	}
	return n, neg, rest[i:], true
}

// plainNanos is plainInt for a ParseNanos timestamp: no '-'.
func plainNanos(rest []byte) (uint64, []byte, bool) {
	n, neg, after, ok := plainInt(rest)
	return n, after, ok && !neg
}

// plainNum reads a value of numeric code c at the start of rest, after
// its blanks, as parseNum gives it: a plain integer (plainInt) in c's
// range, or a short decimal (plainFloat). ok is false for other codes and
// anything else.
func plainNum(c format.Code, rest []byte) (uint64, []byte, bool) {
	var max uint64
	switch c {
	case format.F32, format.F64:
		return plainFloat(c, rest)
	case format.U32:
		max = math.MaxUint32
	case format.U64:
		max = math.MaxUint64
	case format.I32:
		max = math.MaxInt32
	case format.I64:
		max = math.MaxInt64
	default:
		return 0, nil, false
	}
	n, neg, after, ok := plainInt(rest)
	switch {
	case !ok:
		return 0, nil, false
	case !c.Signed():
		return n, after, !neg && n <= max
	case neg:
		return -n, after, n <= max+1
	}
	return n, after, n <= max
}
