package format

import (
	"math"
	"testing"
)

// TestCode_FitsAll: FitsAll agrees with Fits on every value, wherever the
// one value that does not fit sits.
func TestCode_FitsAll(t *testing.T) {
	values := []uint64{
		0, 1, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64,
		uint64(1) << 31, uint64(math.MaxInt32), negative(1), negative(math.MaxInt32 + 1), negative(math.MaxInt32 + 2),
		uint64(math.Float32bits(1.5)), math.Float64bits(1.5),
	}
	for _, c := range []Code{U32, U64, I32, I64, F32, F64} {
		for _, bad := range values {
			for _, at := range []int{0, 3, 8} {
				v := make([]uint64, 9)
				v[at] = bad
				if got, want := c.FitsAll(v), c.Fits(bad); got != want {
					t.Errorf("%c: FitsAll with %#x at %d = %v, Fits = %v", c, bad, at, got, want)
				}
			}
		}
		if !c.FitsAll(nil) {
			t.Errorf("%c: FitsAll(nil) = false", c)
		}
	}
}

// negative is the two's complement bits of -x.
func negative(x int64) uint64 { return uint64(-x) }

// TestCode_AsFloat64: each numeric code's bits as a float64.
func TestCode_AsFloat64(t *testing.T) {
	for _, c := range []struct {
		code Code
		bits uint64
		want float64
	}{
		{U32, math.MaxUint32, math.MaxUint32},
		{U64, 1 << 60, 1 << 60},
		{I32, negative(7), -7},
		{I64, negative(1 << 40), -(1 << 40)},
		{F32, uint64(math.Float32bits(-2.5)), -2.5},
		{F64, math.Float64bits(0.1), 0.1},
	} {
		if got := c.code.AsFloat64(c.bits); got != c.want {
			t.Errorf("%c: AsFloat64(%#x) = %v, want %v", c.code, c.bits, got, c.want)
		}
	}
}
