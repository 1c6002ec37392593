package agg

import (
	"math"

	"github.com/chime-tsdb/chime/format"
)

// sum returns the sum in its type: U when only unsigned integers were
// added, I when signed ones were too, F when any float was (the exact
// integer sum, rounded once, plus the float sum). ok is false when an
// integer sum does not fit its type.
func (a *acc) sum() (v num, ok bool) {
	ints := a.seen&(seenUnsigned|seenSigned) != 0
	switch {
	case a.seen&seenFloat != 0:
		f := a.fsum
		if ints {
			f = a.intSum() + a.fsum
		}
		return num{format.F64, math.Float64bits(f)}, true
	case a.seen&seenSigned != 0:
		return num{format.I64, a.lo}, a.hi == uint64(int64(a.lo)>>63)
	}
	return num{format.U64, a.lo}, a.hi == 0
}

// intSum is the exact integer sum rounded to a float64.
func (a *acc) intSum() float64 {
	if a.hi == uint64(int64(a.lo)>>63) {
		return float64(int64(a.lo))
	}
	return math.Ldexp(float64(int64(a.hi)), 64) + float64(a.lo)
}

// meanValue is the sum as a float64 over the count.
func (a *acc) meanValue() float64 {
	var s float64
	switch ints := a.seen&(seenUnsigned|seenSigned) != 0; {
	case ints && a.seen&seenFloat != 0:
		s = a.intSum() + a.fsum
	case ints:
		s = a.intSum()
	default:
		s = a.fsum
	}
	return s / float64(a.n)
}

// stddev is the sample standard deviation, NaN under two values.
func (a *acc) stddev() float64 {
	if a.n < 2 {
		return math.NaN()
	}
	return math.Sqrt(a.m2 / float64(a.n-1))
}
