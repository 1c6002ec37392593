package agg

import (
	"math"
	"math/bits"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// Kinds of values an accumulator has seen, which decide the type of sum.
const (
	seenUnsigned uint8 = 1 << iota
	seenSigned
	seenFloat
	seenBytes
)

// acc accumulates one value column over the rows of one bucket that have
// that column. The parts that no aggregate of the query needs stay zero.
type acc struct {
	n     uint64 // rows
	seen  uint8
	lo    uint64 // exact sum of the integers: a two's complement
	hi    uint64 // 128-bit number hi:lo, which cannot overflow
	fsum  float64
	mean  float64 // Welford/Chan mean and sum of squared deviations of
	m2    float64 // every value as float64, for stddev
	min   num
	max   num
	first num
	last  num
	// Times of first and last, which decide between series when buckets
	// of several keys merge.
	firstTS, lastTS uint64
	firstB, lastB   []byte // first and last of an s or B column
	values          []float64
	nan             int // NaN at the end of values, once partitioned
}

// reset empties a, keeping its memory.
func (a *acc) reset() {
	*a = acc{firstB: a.firstB[:0], lastB: a.lastB[:0], values: a.values[:0]}
	a.fsum = math.Copysign(0, -1) // -0 + x is x for every x, -0 included
}

// addNums adds the values nums of type code, with their times ts.
// scratch is memory for the values as float64.
func (a *acc) addNums(nd needs, code format.Code, nums, ts []uint64, scratch *[]float64) {
	if a.n == 0 {
		a.first, a.firstTS = num{code, nums[0]}, ts[0]
	}
	a.last, a.lastTS = num{code, nums[len(nums)-1]}, ts[len(ts)-1]
	if nd.sum {
		a.addSum(code, nums)
	}
	if nd.minMax {
		a.addMinMax(code, nums)
	}
	if nd.variance || nd.values {
		fs := toFloats((*scratch)[:0], code, nums)
		*scratch = fs
		if nd.variance {
			a.addMoments(fs)
		}
		if nd.values {
			a.values = append(a.values, fs...)
		}
	}
	a.seen |= seenOf(code)
	a.n += uint64(len(nums))
}

func seenOf(code format.Code) uint8 {
	switch {
	case code.Float():
		return seenFloat
	case code.Signed():
		return seenSigned
	case code.Variable():
		return seenBytes
	}
	return seenUnsigned
}

// addBytes adds rows [from, to) of the s or B column col of b.
func (a *acc) addBytes(b *format.Block, col, from, to int) {
	code := b.Format.Code(col)
	if a.n == 0 {
		a.first, a.firstTS = num{code: code}, b.Times[from]
		a.firstB = append(a.firstB[:0], b.Bytes(col, from)...)
	}
	a.last, a.lastTS = num{code: code}, b.Times[to-1]
	a.lastB = append(a.lastB[:0], b.Bytes(col, to-1)...)
	a.seen |= seenBytes
	a.n += uint64(to - from)
}

// addSum adds nums to the exact integer sum or to the float sum.
func (a *acc) addSum(code format.Code, nums []uint64) {
	switch code {
	case format.U32, format.I32:
		// At most 65,536 rows of a block: no 32-bit sum overflows int64.
		var s int64
		for _, v := range nums {
			s += int64(v)
		}
		a.add128(uint64(s), uint64(s>>63))
	case format.U64:
		for _, v := range nums {
			a.add128(v, 0)
		}
	case format.I64:
		for _, v := range nums {
			a.add128(v, uint64(int64(v)>>63))
		}
	case format.F64:
		s := a.fsum
		for _, v := range nums {
			s += math.Float64frombits(v)
		}
		a.fsum = s
	case format.F32:
		s := a.fsum
		for _, v := range nums {
			s += float64(math.Float32frombits(uint32(v)))
		}
		a.fsum = s
	}
}

// add128 adds the 128-bit two's complement number hi:lo.
func (a *acc) add128(lo, hi uint64) {
	var c uint64
	a.lo, c = bits.Add64(a.lo, lo, 0)
	a.hi, _ = bits.Add64(a.hi, hi, c)
}

// addMinMax folds the smallest and largest of nums into a.min and a.max;
// among equal values the earliest stays.
func (a *acc) addMinMax(code format.Code, nums []uint64) {
	var lo, hi uint64
	switch code {
	case format.U32, format.U64:
		lo, hi = minMaxUnsigned(nums)
	case format.I32, format.I64:
		lo, hi = minMaxSigned(nums)
	case format.F64, format.F32:
		lo, hi = minMaxFloat(nums, code == format.F32)
	}
	if a.n == 0 || cmpNum(num{code, lo}, a.min) < 0 {
		a.min = num{code, lo}
	}
	if a.n == 0 || cmpNum(num{code, hi}, a.max) > 0 {
		a.max = num{code, hi}
	}
}

// minMaxUnsigned keeps four running minima and maxima, which the CPU
// updates in parallel.
func minMaxUnsigned(nums []uint64) (lo, hi uint64) {
	l0, l1, l2, l3 := nums[0], nums[0], nums[0], nums[0]
	h0, h1, h2, h3 := l0, l0, l0, l0
	i := 0
	for ; i+4 <= len(nums); i += 4 {
		v := nums[i : i+4 : i+4]
		l0, h0 = min(l0, v[0]), max(h0, v[0])
		l1, h1 = min(l1, v[1]), max(h1, v[1])
		l2, h2 = min(l2, v[2]), max(h2, v[2])
		l3, h3 = min(l3, v[3]), max(h3, v[3])
	}
	for _, v := range nums[i:] {
		l0, h0 = min(l0, v), max(h0, v)
	}
	return min(l0, l1, l2, l3), max(h0, h1, h2, h3)
}

func minMaxSigned(nums []uint64) (uint64, uint64) {
	lo, hi := int64(nums[0]), int64(nums[0])
	for _, v := range nums[1:] {
		lo, hi = min(lo, int64(v)), max(hi, int64(v))
	}
	return uint64(lo), uint64(hi)
}

// minMaxFloat returns the bits of the smallest and largest values with
// NaN above everything; among equal values (0 and -0) the first. f32
// says the bits are float32's.
func minMaxFloat(nums []uint64, f32 bool) (lo, hi uint64) {
	li, hj, nan := -1, -1, -1
	var lv, hv float64
	for i, b := range nums {
		v := math.Float64frombits(b)
		if f32 {
			v = float64(math.Float32frombits(uint32(b)))
		}
		switch {
		case v != v:
			if nan < 0 {
				nan = i
			}
		case li < 0:
			li, hj, lv, hv = i, i, v, v
		default:
			if v < lv {
				li, lv = i, v
			}
			if v > hv {
				hj, hv = i, v
			}
		}
	}
	if nan >= 0 {
		hj = nan
		if li < 0 {
			li = nan
		}
	}
	return nums[li], nums[hj]
}

// toFloats appends nums of type code as float64 to dst.
func toFloats(dst []float64, code format.Code, nums []uint64) []float64 {
	n := len(dst)
	dst = slices.Grow(dst, len(nums))[:n+len(nums)]
	out := dst[n:]
	switch code {
	case format.F64:
		for i, v := range nums {
			out[i] = math.Float64frombits(v)
		}
	case format.F32:
		for i, v := range nums {
			out[i] = float64(math.Float32frombits(uint32(v)))
		}
	case format.I32, format.I64:
		for i, v := range nums {
			out[i] = float64(int64(v))
		}
	default:
		for i, v := range nums {
			out[i] = float64(v)
		}
	}
	return dst
}

// addMoments folds the mean and the sum of squared deviations of fs,
// computed in two passes, into a's (Chan et al.'s parallel update).
func (a *acc) addMoments(fs []float64) {
	var s float64
	for _, v := range fs {
		s += v
	}
	n := float64(len(fs))
	mean := s / n
	var m2 float64
	for _, v := range fs {
		d := v - mean
		m2 += d * d
	}
	a.combineMoments(float64(a.n), n, mean, m2)
}

// combineMoments merges the moments of nb values into those of na
// values.
func (a *acc) combineMoments(na, nb, mean, m2 float64) {
	if na == 0 {
		a.mean, a.m2 = mean, m2
		return
	}
	d := mean - a.mean
	n := na + nb
	a.mean += d * nb / n
	a.m2 += m2 + d*d*na*nb/n
}

// merge folds b, the same column of a bucket of a later series, into a.
func (a *acc) merge(b *acc) {
	if b.n == 0 {
		return
	}
	if a.n == 0 {
		first, last, values := a.firstB, a.lastB, a.values
		*a = *b
		a.firstB = append(first[:0], b.firstB...)
		a.lastB = append(last[:0], b.lastB...)
		a.values = append(values[:0], b.values...)
		return
	}
	a.add128(b.lo, b.hi)
	a.fsum += b.fsum
	a.combineMoments(float64(a.n), float64(b.n), b.mean, b.m2)
	if cmpNum(b.min, a.min) < 0 {
		a.min = b.min
	}
	if cmpNum(b.max, a.max) > 0 {
		a.max = b.max
	}
	if b.firstTS < a.firstTS {
		a.first, a.firstTS = b.first, b.firstTS
		a.firstB = append(a.firstB[:0], b.firstB...)
	}
	if b.lastTS >= a.lastTS {
		a.last, a.lastTS = b.last, b.lastTS
		a.lastB = append(a.lastB[:0], b.lastB...)
	}
	a.values = appendValues(a.values, b.values)
	a.seen |= b.seen
	a.n += b.n
}

// appendValues appends src to dst, at least doubling dst's capacity when
// it grows: the values of a merged series' bucket grow by large steps to
// millions, which append's gentler growth for large slices would copy
// many times over.
func appendValues(dst, src []float64) []float64 {
	if need := len(dst) + len(src); need > cap(dst) {
		grown := make([]float64, len(dst), max(need, 2*cap(dst)))
		copy(grown, dst)
		dst = grown
	}
	return append(dst, src...)
}
