package decimal

import (
	"math"
	"strconv"
	"testing"
)

func TestAppendUint(t *testing.T) {
	vals := []uint64{0, 9, 99999999, 1e8, 1e8 + 1, 1234567890123456789, 1e16, 1e16 - 1, math.MaxUint64}
	for i := uint64(1); i != 0 && i < math.MaxUint64/3; i = i*3 + 1 {
		vals = append(vals, i, i-1)
	}
	for _, v := range vals {
		if got, want := string(AppendUint([]byte("x"), v)), "x"+strconv.FormatUint(v, 10); got != want {
			t.Errorf("AppendUint(%d) = %s", v, got)
		}
	}
}

func TestPut8(t *testing.T) {
	step := uint32(1)
	if testing.Short() {
		step = 9973
	}
	var out [8]byte
	for v := uint32(0); v < 1e8; v += step {
		Put8(out[:], v)
		want := [8]byte{}
		for i, x := 7, v; i >= 0; i, x = i-1, x/10 {
			want[i] = byte('0' + x%10)
		}
		if out != want {
			t.Fatalf("Put8(%d) = %s, want %s", v, out[:], want[:])
		}
	}
}
