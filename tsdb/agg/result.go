package agg

import (
	"math"
	"slices"

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

// sortValues sorts the values for quantiles: numbers in order, NaN last.
func (a *acc) sortValues() {
	slices.SortFunc(a.values, cmpFloat)
}

// quantile is the q quantile of the sorted values by linear interpolation
// between closest ranks: with n values x[0] <= ... <= x[n-1] and
// h = q*(n-1), x[floor h] + (h - floor h)*(x[floor h + 1] - x[floor h])
// (Hyndman and Fan's definition 7, the default of R and NumPy and
// DuckDB's quantile_cont).
func (a *acc) quantile(q float64) float64 {
	xs := a.values
	h := q * float64(len(xs)-1)
	i := int(h)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	d := h - float64(i)
	lo, hi := xs[i], xs[i+1]
	switch {
	case d == 0 || lo == hi:
		return lo
	case math.IsInf(lo, 0) || math.IsInf(hi, 0):
		return lo*(1-d) + hi*d
	}
	return lo + d*(hi-lo)
}
