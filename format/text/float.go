package text

import (
	"math"
	"math/bits"
	"slices"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/decimal"
)

// The NaN bits that every spelling of "nan" is stored as: the quiet NaNs
// that sonnerie (Rust's f32::NAN and f64::NAN) wrote.
const (
	nan32Bits = 0x7fc00000
	nan64Bits = 0x7ff8000000000000
)

// floatChar marks the bytes a finite float literal may contain. Checking
// them first keeps strconv.ParseFloat from accepting Go-only syntax: hex
// floats (0x1p-2) and digit separators (1_000).
var floatChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['.'], t['e'], t['E'], t['+'], t['-'] = true, true, true, true, true
	return t
}()

// parseFloat parses an f or F value into its bits (see Code): decimal or
// exponent notation with an optional sign, or inf, infinity or nan in any
// case. A finite literal too large for the type is out of range rather
// than infinite; one too small for it becomes zero.
func parseFloat(c format.Code, tok []byte) (uint64, error) {
	if v, ok := parseShortFloat(c, tok); ok {
		return v, nil
	}
	body := tok
	neg := false
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	if len(body) > 0 && body[0]|0x20 >= 'a' && body[0]|0x20 <= 'z' {
		return parseSpecialFloat(c, body, neg)
	}
	for _, ch := range body {
		if !floatChar[ch] {
			return 0, errNotFloat
		}
	}
	size := 64
	if c == format.F32 {
		size = 32
	}
	// string(tok) does not escape ParseFloat, so short tokens (up to 32
	// bytes) are converted on the stack without allocating.
	v, err := strconv.ParseFloat(string(tok), size)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, rangeError(c)
		}
		return 0, errNotFloat
	}
	if c == format.F32 {
		return uint64(math.Float32bits(float32(v))), nil
	}
	return math.Float64bits(v), nil
}

// parseSpecialFloat parses the words inf, infinity and nan (any case) that
// follow an optional sign. NaN is stored as one canonical pattern whatever
// its sign, since it prints as NaN anyway.
func parseSpecialFloat(c format.Code, word []byte, neg bool) (uint64, error) {
	switch {
	case equalFoldASCII(word, "nan"):
		if c == format.F32 {
			return nan32Bits, nil
		}
		return nan64Bits, nil
	case equalFoldASCII(word, "inf"), equalFoldASCII(word, "infinity"):
		sign := 1
		if neg {
			sign = -1
		}
		v := math.Inf(sign)
		if c == format.F32 {
			return uint64(math.Float32bits(float32(v))), nil
		}
		return math.Float64bits(v), nil
	}
	return 0, errNotFloat
}

// equalFoldASCII reports whether b is lower, a lower-case ASCII word, in
// any case.
func equalFoldASCII(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// appendFloat17 appends v with exactly 17 digits after the point, of its
// exact binary value rounded half to even: sonnerie's "{:.17}". NaN prints
// as NaN and infinities as inf and -inf.
//
// The result equals strconv.AppendFloat(dst, v, 'f', 17, 64), which is
// slow (multiprecision) for |v| >= 1. Every v below 2^64 in magnitude takes
// an exact integer path instead: v = mant·2^e splits into an integer part
// and a binary fraction, and the fraction's 17 digits are
// round(frac·10^17 / 2^s), computed in 128 bits.
func appendFloat17(dst []byte, v float64) []byte {
	b := math.Float64bits(v)
	exp := int(b>>52) & 0x7ff
	mant := b & (1<<52 - 1)
	if exp == 0x7ff {
		return appendFloatSpecial(dst, b>>63 != 0, mant != 0)
	}
	if exp == 0 {
		exp = 1 // subnormal: no implicit bit
	} else {
		mant |= 1 << 52
	}
	e := exp - 1075 // v = ±mant·2^e
	if e >= 0 && bits.Len64(mant)+e > 64 {
		return strconv.AppendFloat(dst, v, 'f', 17, 64)
	}
	if b>>63 != 0 {
		dst = append(dst, '-')
	}
	if e >= 0 {
		dst = decimal.AppendUint(dst, mant<<e)
		return append(dst, ".00000000000000000"...)
	}
	s := uint(-e)
	ip, frac := uint64(0), mant
	if s < 64 {
		ip, frac = mant>>s, mant&(1<<s-1)
	}
	digits := roundFrac17(frac, s)
	if digits == 1e17 {
		// Rounding up .99999999999999999|5 would carry, but no float64
		// has a fraction that close to 1; kept to stay correct regardless.
		ip, digits = ip+1, 0
	}
	dst = decimal.AppendUint(dst, ip)
	return appendFrac17(dst, digits)
}

// appendFloatSpecial appends NaN, inf or -inf.
func appendFloatSpecial(dst []byte, neg, nan bool) []byte {
	switch {
	case nan:
		return append(dst, "NaN"...)
	case neg:
		return append(dst, "-inf"...)
	}
	return append(dst, "inf"...)
}

// roundFrac17 returns frac·10^17 / 2^s rounded half to even: the 17
// decimals of the binary fraction frac/2^s, where frac < 2^s and
// frac < 2^53. The product has fewer than 110 bits, so s > 110 means less
// than half a unit, zero.
func roundFrac17(frac uint64, s uint) uint64 {
	if s > 110 {
		return 0
	}
	hi, lo := bits.Mul64(frac, 1e17)
	var q, remHi, remLo, halfHi, halfLo uint64
	switch {
	case s < 64:
		q = lo>>s | hi<<(64-s)
		remLo, halfLo = lo&(1<<s-1), 1<<(s-1)
	case s == 64:
		q, remLo, halfLo = hi, lo, 1<<63
	default:
		q = hi >> (s - 64)
		remHi, remLo, halfHi = hi&(1<<(s-64)-1), lo, 1<<(s-65)
	}
	if remHi > halfHi || remHi == halfHi && (remLo > halfLo || remLo == halfLo && q&1 == 1) {
		q++
	}
	return q
}

// appendFrac17 appends a point and d (< 10^17) as exactly 17 digits,
// written in place in independent 8-digit halves to keep the chain of
// divisions short.
func appendFrac17(dst []byte, d uint64) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 18)[:n+18]
	out := dst[n : n+18]
	hi, lo := uint32(d/1e8), uint32(d%1e8) // 9 and 8 digits
	out[0], out[1] = '.', byte('0'+hi/1e8)
	decimal.Put8(out[2:10], hi%1e8)
	decimal.Put8(out[10:18], lo)
	return dst
}
