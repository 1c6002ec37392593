package text

import (
	"math/bits"

	"github.com/chime-tsdb/chime/format"
)

// The short-decimal path of parseFloat. Measurements print like
// -12.345678901234567: at most 19 significant digits and a small decimal
// exponent. Such a literal is w·10^q with w < 2^64 and |q| <= 19, and 10^|q|
// fits in 64 bits, so its correctly rounded binary value comes from one
// 128-bit multiplication (q >= 0) or one 128-by-64-bit division (q < 0)
// with a sticky bit: exact integer arithmetic, no tables and no
// approximation to fall back from. strconv.ParseFloat, which must handle
// every literal, took two thirds of the time of add -f F.

// pow10u64 holds 10^0 .. 10^19, every power of ten below 2^64.
var pow10u64 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// maxShortDigits is the most significant digits of a short decimal:
// every 19-digit number is below 2^64.
const maxShortDigits = 19

// parseShortFloat parses tok as a float of code c when it is a short
// decimal: [sign] digits [. digits] [e|E [sign] digits], with at most 19
// significant digits and a decimal exponent of at most 19 in magnitude
// once they are an integer. It reports ok false for anything else (more
// digits, larger exponents, syntax errors, inf and nan), which parseFloat
// hands to strconv.ParseFloat. The bits are those that
// strconv.ParseFloat gives, rounded half to even straight to c's
// precision.
func parseShortFloat(c format.Code, tok []byte) (v uint64, ok bool) {
	w, q, neg, n := scanShortDecimal(tok)
	if n != len(tok) || n == 0 {
		return 0, false
	}
	return shortFloatBits(c, w, q, neg)
}

// plainFloat is parseShortFloat for the start of rest, after its blanks:
// the short decimal must end at a blank or at the end of rest. It returns
// the bits and what follows the decimal; LineParser reads values this
// way without cutting the token out first.
func plainFloat(c format.Code, rest []byte) (uint64, []byte, bool) {
	i := 0
	for i < len(rest) && isBlank(rest[i]) {
		i++
	}
	w, q, neg, n := scanShortDecimal(rest[i:])
	if i += n; n == 0 || i < len(rest) && !isBlank(rest[i]) {
		return 0, nil, false
	}
	v, ok := shortFloatBits(c, w, q, neg)
	return v, rest[i:], ok
}

// shortFloatBits is the value w·10^q, negated if neg, in code c (see
// parseShortFloat).
func shortFloatBits(c format.Code, w uint64, q int, neg bool) (uint64, bool) {
	prec, bias, width := uint(53), 1023, 64
	if c == format.F32 {
		prec, bias, width = 24, 127, 32
	}
	sign := uint64(0)
	if neg {
		sign = 1 << (width - 1)
	}
	if w == 0 {
		return sign, true
	}
	mant, exp := roundDecimal(w, q, prec)
	// mant has its top bit at prec-1: the value is 1.f·2^(exp+prec-1).
	biased := exp + int(prec) - 1 + bias
	if biased <= 0 || biased >= 2*bias+1 {
		return 0, false // subnormal or overflow: not a short decimal's
	}
	return sign | uint64(biased)<<(prec-1) | mant&(1<<(prec-1)-1), true
}

// scanShortDecimal reads a short decimal (see parseShortFloat) at the
// start of b as w·10^q. n is the number of bytes it spans: 0 when b does
// not start with one. A short decimal followed by more digits (20 and
// over), a second dot or a bad exponent is no short decimal (n 0), since
// it is no token's whole either.
func scanShortDecimal(b []byte) (w uint64, q int, neg bool, n int) {
	i := 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg, i = b[0] == '-', 1
	}
	var sig int // significant digits in w
	start := i
	w, sig, i = digitRun(b, i, 0, 0)
	digits := i - start
	if i < len(b) && b[i] == '.' {
		frac := i + 1
		w, sig, i = digitRun(b, frac, w, sig)
		q, digits = frac-i, digits+i-frac
	}
	if digits == 0 || sig > maxShortDigits {
		return 0, 0, false, 0
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		e, m := scanExponent(b[i+1:])
		if m == 0 {
			return 0, 0, false, 0
		}
		q, i = q+e, i+1+m
	}
	if q < -19 || q > 19 || i < len(b) && (b[i] == '.' || b[i]-'0' <= 9) {
		return 0, 0, false, 0
	}
	return w, q, neg, i
}

// digitRun reads the decimal digits of tok from i on into w, which holds
// sig significant digits. It returns w, the significant digits (more
// than maxShortDigits: too many, and w is then meaningless) and the
// index after the digits. Eight digits at a time while they fit.
func digitRun(tok []byte, i int, w uint64, sig int) (uint64, int, int) {
	for len(tok)-i >= 8 && sig <= maxShortDigits-8 {
		v, ok := parse8Digits(tok[i:])
		if !ok {
			break
		}
		if w == 0 {
			sig = decimalLen(v)
		} else {
			sig += 8
		}
		w, i = w*1e8+v, i+8
	}
	for ; i < len(tok); i++ {
		d := uint64(tok[i] - '0')
		if d > 9 {
			break
		}
		if w != 0 || d != 0 { // leading zeros are not significant
			w, sig = w*10+d, sig+1
		}
		if sig > maxShortDigits {
			return w, sig, i + 1
		}
	}
	return w, sig, i
}

// decimalLen is the number of decimal digits of v < 10^8 (0 for 0).
func decimalLen(v uint64) int {
	n := 0
	for ; v > 0; v /= 10 {
		n++
	}
	return n
}

// scanExponent reads the [sign] 1 to 3 digits after an 'e' at the start
// of b; m is the number of bytes they span, 0 if none or more than 3
// digits.
func scanExponent(b []byte) (e, m int) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg, m = b[0] == '-', 1
	}
	start := m
	for ; m < len(b) && b[m]-'0' <= 9; m++ {
		if m-start == 3 {
			return 0, 0
		}
		e = e*10 + int(b[m]-'0')
	}
	if m == start {
		return 0, 0
	}
	if neg {
		e = -e
	}
	return e, m
}

// roundDecimal returns w·10^q (w > 0, |q| <= 19) rounded half to even to
// prec bits, as mant·2^exp with mant's top bit at prec-1.
func roundDecimal(w uint64, q int, prec uint) (mant uint64, exp int) {
	var top uint64 // the value's top 64 bits, top bit set
	var sticky bool
	if q >= 0 {
		hi, lo := bits.Mul64(w, pow10u64[q])
		if hi == 0 {
			z := bits.LeadingZeros64(lo)
			top, exp = lo<<z, -z
		} else {
			s := uint(64 - bits.LeadingZeros64(hi))
			top, sticky, exp = hi<<(64-s)|lo>>s, lo<<(64-s) != 0, int(s)
		}
	} else {
		top, sticky, exp = divideScaled(w, pow10u64[-q])
	}
	return roundTop(top, sticky, prec, exp)
}

// divideScaled returns the top 64 bits of w/d (w, d > 0) with their top
// bit set, whether bits below them are lost, and the exponent: w/d is
// about top·2^exp.
func divideScaled(w, d uint64) (top uint64, sticky bool, exp int) {
	// Shift w left by s so that w·2^s/d lies in [2^62, 2^64): then the
	// quotient fits a word (the dividend's high word is below d).
	s := uint(63 - bits.Len64(w) + bits.Len64(d))
	hi, lo := shl128(w, s)
	top, r := bits.Div64(hi, lo, d)
	if top < 1<<63 {
		s++
		hi, lo = shl128(w, s)
		top, r = bits.Div64(hi, lo, d)
	}
	return top, r != 0, -int(s)
}

// shl128 returns the 128 bits of x<<s (s < 128) as hi, lo.
func shl128(x uint64, s uint) (hi, lo uint64) {
	if s >= 64 {
		return x << (s - 64), 0
	}
	return x >> (64 - s), x << s // x >> 64 is 0 for s == 0
}

// roundTop rounds top·2^exp (top bit set; sticky: nonzero bits lost below
// top) half to even to prec bits.
func roundTop(top uint64, sticky bool, prec uint, exp int) (uint64, int) {
	drop := 64 - prec
	mant, rest, half := top>>drop, top&(1<<drop-1), uint64(1)<<(drop-1)
	if rest > half || rest == half && (sticky || mant&1 == 1) {
		mant++
		if mant == 1<<prec {
			mant >>= 1
			exp++
		}
	}
	return mant, exp + int(drop)
}
