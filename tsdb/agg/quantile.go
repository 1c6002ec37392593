package agg

import (
	"math"
	"math/bits"
	"slices"
)

// quantiles computes the q quantile of values by linear interpolation
// between closest ranks: with the n values in order x[0] <= ... <= x[n-1]
// (NaN above everything) and h = q*(n-1), the result is
// x[floor h] + (h - floor h)*(x[floor h + 1] - x[floor h]): Hyndman and
// Fan's definition 7, the default of R, NumPy and DuckDB's quantile_cont.
//
// It finds the two ranks by selection, in linear time, reordering values;
// nan is how many NaN the values end with (see partitionNaN).
func quantile(values []float64, nan int, q float64) float64 {
	h := q * float64(len(values)-1)
	i := int(h)
	d := h - float64(i)
	if i >= len(values)-1 {
		i, d = len(values)-1, 0
	}
	numbers := len(values) - nan
	if i >= numbers {
		return math.NaN()
	}
	selectNth(values[:numbers], i)
	lo := values[i]
	if d == 0 {
		return lo
	}
	if i+1 >= numbers {
		return math.NaN() // the next rank is a NaN
	}
	hi := slices.Min(values[i+1 : numbers])
	switch {
	case lo == hi:
		return lo
	case math.IsInf(lo, 0) || math.IsInf(hi, 0):
		return lo*(1-d) + hi*d
	}
	return lo + d*(hi-lo)
}

// partitionNaN moves the NaN of values to its end and returns how many
// there are.
func partitionNaN(values []float64) int {
	end := len(values)
	for i := 0; i < end; {
		if values[i] != values[i] {
			end--
			values[i], values[end] = values[end], values[i]
		} else {
			i++
		}
	}
	return len(values) - end
}

// selectNth reorders xs, which holds no NaN, so that xs[k] is the value
// of rank k, those before it no larger and those after it no smaller
// (quickselect with a three-way partition, which runs of equal values
// need; it sorts what is left after too many bad pivots).
func selectNth(xs []float64, k int) {
	lo, hi := 0, len(xs) // the rank k lies in xs[lo:hi]
	for budget := 2*bits.Len(uint(len(xs))) + 4; hi-lo > 16; budget-- {
		if budget == 0 {
			slices.Sort(xs[lo:hi])
			return
		}
		lt, gt := partition3(xs[lo:hi], medianOf3(xs[lo], xs[lo+(hi-lo)/2], xs[hi-1]))
		switch {
		case k < lo+lt:
			hi = lo + lt
		case k >= lo+gt:
			lo += gt
		default:
			return // xs[lo+lt : lo+gt] all equal the pivot
		}
	}
	slices.Sort(xs[lo:hi])
}

// partition3 reorders xs into values below p, equal to p, above p, and
// returns the bounds of the middle part.
func partition3(xs []float64, p float64) (lt, gt int) {
	lt, i, gt := 0, 0, len(xs)
	for i < gt {
		switch v := xs[i]; {
		case v < p:
			xs[lt], xs[i] = v, xs[lt]
			lt++
			i++
		case v > p:
			gt--
			xs[gt], xs[i] = v, xs[gt]
		default:
			i++
		}
	}
	return lt, gt
}

func medianOf3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}
