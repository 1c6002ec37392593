package agg

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// randomNum draws a value of a random numeric type, often an extreme.
func randomNum(r *rand.Rand) num {
	codes := []format.Code{format.U32, format.U64, format.I32, format.I64, format.F32, format.F64}
	code := codes[r.IntN(len(codes))]
	switch code {
	case format.U32:
		return num{code, uint64(pick(r, []uint32{0, 1, math.MaxUint32, r.Uint32(), uint32(r.IntN(10))}))}
	case format.U64:
		return num{code, pick(r, []uint64{0, 1, math.MaxUint64, 1 << 53, 1<<53 + 1, r.Uint64(), uint64(r.IntN(10))})}
	case format.I32:
		return num{code, uint64(int64(pick(r, []int32{0, -1, math.MinInt32, math.MaxInt32, int32(r.Uint32()), int32(r.IntN(20) - 10)})))}
	case format.I64:
		return num{code, uint64(pick(r, []int64{0, -1, math.MinInt64, math.MaxInt64, -(1 << 53) - 1, int64(r.Uint64()), int64(r.IntN(20) - 10)}))}
	case format.F32:
		v := pick(r, []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
			float32(r.NormFloat64() * 10), float32(r.IntN(20) - 10), 0.5, math.MaxFloat32})
		return num{code, uint64(math.Float32bits(v))}
	}
	v := pick(r, []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), r.NormFloat64() * 1e6,
		float64(r.IntN(20) - 10), 0.5, 1 << 64, -(1 << 64), 1<<53 + 2, math.MaxUint64, 9.5})
	return num{code, math.Float64bits(v)}
}

func pick[T any](r *rand.Rand, vs []T) T { return vs[r.IntN(len(vs))] }

// exactCmp compares with big.Float, NaN above everything.
func exactCmp(a, b num) int {
	an, bn := a.code.Float() && math.IsNaN(a.float()), b.code.Float() && math.IsNaN(b.float())
	if an || bn {
		return boolCmp(an, bn)
	}
	return exactFloat(a).Cmp(exactFloat(b))
}

func exactFloat(v num) *big.Float {
	switch {
	case v.code.Float():
		return big.NewFloat(v.float())
	case v.code.Signed():
		return new(big.Float).SetInt64(int64(v.bits))
	}
	return new(big.Float).SetUint64(v.bits)
}

func TestCmpNum_Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		a, b := randomNum(r), randomNum(r)
		if got, want := cmpNum(a, b), exactCmp(a, b); got != want {
			t.Fatalf("cmpNum(%c %#x, %c %#x) = %d, want %d", a.code, a.bits, b.code, b.bits, got, want)
		}
	}
}

func TestCmpNum_Order(t *testing.T) {
	neg0 := math.Copysign(0, -1)
	ordered := []num{
		{format.F64, math.Float64bits(math.Inf(-1))},
		{format.I64, 1 << 63},
		{format.I32, math.MaxUint64 - 4}, // -5
		{format.F32, uint64(math.Float32bits(-4.5))},
		{format.U32, 3},
		{format.F64, math.Float64bits(3.5)},
		{format.U64, math.MaxUint64},
		{format.F64, math.Float64bits(math.Inf(1))},
		{format.F64, math.Float64bits(math.NaN())},
	}
	for i := range ordered {
		for j := range ordered {
			if got, want := cmpNum(ordered[i], ordered[j]), boolCmp(i > j, i < j); got != want {
				t.Errorf("cmpNum(%v, %v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if cmpNum(num{format.F64, math.Float64bits(neg0)}, num{format.U32, 0}) != 0 {
		t.Error("-0 and 0 differ")
	}
}

func TestQuery_Bucket(t *testing.T) {
	for _, tc := range []struct {
		step, offset, ts, start, last uint64
	}{
		{0, 0, 12345, 0, math.MaxUint64},
		{10, 0, 0, 0, 9},
		{10, 0, 9, 0, 9},
		{10, 0, 10, 10, 19},
		{10, 3, 12, 3, 12},
		{10, 3, 13, 13, 22},
		{10, 3, 2, 0, 2},  // before the offset: the bucket that ends there, stamped 0
		{10, 23, 2, 0, 2}, // only the offset modulo the step counts
		{10, 0, math.MaxUint64, math.MaxUint64 - 5, math.MaxUint64},
		{math.MaxUint64, 0, math.MaxUint64 - 1, 0, math.MaxUint64 - 1},
		{math.MaxUint64, 0, math.MaxUint64, math.MaxUint64, math.MaxUint64},
	} {
		q := &Query{Step: tc.step, Offset: tc.offset}
		if start, last := q.bucket(tc.ts); start != tc.start || last != tc.last {
			t.Errorf("step %d offset %d: bucket(%d) = [%d, %d], want [%d, %d]", tc.step, tc.offset, tc.ts, start, last, tc.start, tc.last)
		}
	}
}

func TestBucketEnd(t *testing.T) {
	ts := []uint64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89}
	for from := range ts {
		for last := ts[from]; last < 100; last++ {
			want := from
			for want < len(ts) && ts[want] <= last {
				want++
			}
			if got := bucketEnd(ts, from, len(ts), last); got != want {
				t.Fatalf("bucketEnd(from %d, last %d) = %d, want %d", from, last, got, want)
			}
		}
	}
}

func TestSelectNth(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		n := 1 + r.IntN(300)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(r.IntN(1 + r.IntN(50))) // runs of equal values
		}
		sorted := slices.Sorted(slices.Values(xs))
		k := r.IntN(n)
		selectNth(xs, k)
		if xs[k] != sorted[k] || slices.Max(xs[:k+1]) != xs[k] || slices.Min(xs[k:]) != xs[k] {
			t.Fatalf("selectNth(k=%d) of %v: %v at k, want %v with no larger before and no smaller after", k, sorted, xs[k], sorted[k])
		}
	}
}
