package parquet

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDelta_RoundTrip encodes integer sequences DELTA_BINARY_PACKED and
// reads them back: lengths around the block and miniblock sizes, the
// extremes of INT32 (deltas that wrap in 32 bits) and INT64.
func TestDelta_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, width32 := range []bool{false, true} {
		for _, n := range []int{0, 1, 2, 31, 32, 33, 127, 128, 129, 1000} {
			for _, kind := range []string{"walk", "extremes", "constant"} {
				vals := make([]int64, n)
				for i := range vals {
					switch kind {
					case "walk":
						vals[i] = rng.Int64N(1000) - 500
						if i > 0 {
							vals[i] += vals[i-1]
						}
					case "extremes":
						vals[i] = []int64{math.MinInt64, math.MaxInt64, 0, -1}[rng.IntN(4)]
					default:
						vals[i] = 42
					}
					if width32 {
						vals[i] = int64(int32(vals[i]))
					}
				}
				got := decodeDelta(t, appendDelta(nil, vals, width32), n, width32)
				for i := range vals {
					if got[i] != vals[i] {
						t.Fatalf("%s, %d values, 32-bit %v: value %d = %d, want %d", kind, n, width32, i, got[i], vals[i])
					}
				}
			}
		}
	}
}

func decodeDelta(t *testing.T, enc []byte, n int, width32 bool) []int64 {
	t.Helper()
	d, err := newDeltaDecoder(enc, n)
	if err != nil {
		t.Fatal(err)
	}
	v := &deltaValues{d: d, int32: width32}
	out := make([]uint64, n)
	// In uneven batches, as pages are read.
	for from := 0; from < n; {
		to := min(n, from+1+from%37)
		if err := v.nums(out[from:to]); err != nil {
			t.Fatal(err)
		}
		from = to
	}
	if err := v.nums(make([]uint64, 1)); err == nil {
		t.Fatal("read past the values")
	}
	got := make([]int64, n)
	for i, u := range out {
		got[i] = int64(u)
	}
	return got
}

// TestHybrid_RoundTrip encodes runs of values with the RLE/bit-packed
// hybrid at every width and reads them back.
func TestHybrid_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for width := uint(1); width <= 32; width++ {
		var want []uint64
		e := newHybridEncoder(nil, width)
		for range 200 {
			v := rng.Uint64() & (1<<width - 1)
			n := []int{1, 3, 7, 8, 9, 100}[rng.IntN(6)]
			e.run(v, n)
			for range n {
				want = append(want, v)
			}
		}
		d, err := newHybridDecoder(e.finish(), width)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]uint64, len(want))
		if err := d.read(got); err != nil {
			t.Fatalf("width %d: %v", width, err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("width %d: value %d = %d, want %d", width, i, got[i], want[i])
			}
		}
	}
}
