package codec

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// timesShapes returns strictly increasing timestamp columns of every shape
// the codecs care about, of about n values.
func timesShapes(rng *rand.Rand, n int) [][]uint64 {
	steady := refTimes(n)
	jitter := make([]uint64, n)
	accel := make([]uint64, n)
	sparse := make([]uint64, n)
	t, d := uint64(refStart), uint64(1000)
	for i := range n {
		jitter[i] = refStart + uint64(i)*1e9 + uint64(rng.IntN(1000))
		accel[i], t, d = t, t+d, d+7
		sparse[i] = uint64(i) * (math.MaxUint64 / uint64(n)) // huge deltas
	}
	rnd := make([]uint64, n)
	for i := range rnd {
		rnd[i] = rng.Uint64()
	}
	slices.Sort(rnd)
	rnd = slices.Compact(rnd)
	return [][]uint64{
		steady, jitter, accel, sparse, rnd,
		{0}, {math.MaxUint64}, {0, math.MaxUint64}, {math.MaxUint64 - 1, math.MaxUint64},
		{1, 2, 3}, {5, 10, 1000, 1001, 1 << 40},
	}
}

// fitCode makes x a valid value of the integer code c by truncation.
func fitCode(c format.Code, x uint64) uint64 {
	switch c {
	case format.U32:
		return uint64(uint32(x))
	case format.I32:
		return uint64(int64(int32(x)))
	}
	return x
}

// intShapes returns integer columns of code c of every shape the codecs
// care about, of about n values.
func intShapes(rng *rand.Rand, c format.Code, n int) [][]uint64 {
	shapes := [][]uint64{
		{0}, {fitCode(c, math.MaxUint64)}, {fitCode(c, 1<<63)}, {fitCode(c, 1<<31)},
		{0, fitCode(c, math.MaxUint64), 0, fitCode(c, math.MaxUint64)},
		{fitCode(c, 1<<31), fitCode(c, 1<<31-1), fitCode(c, 1<<63), fitCode(c, 1<<63-1)},
	}
	gens := []func(i int) uint64{
		func(int) uint64 { return 42 },
		func(i int) uint64 { return uint64(i) * 3 },
		func(int) uint64 { return uint64(rng.IntN(100)) },
		func(int) uint64 { return rng.Uint64() },
		func(int) uint64 { return uint64(rng.IntN(200)) - 100 },
		func(i int) uint64 { return uint64(i) + uint64(i%100/99)*1e12 },
	}
	for _, g := range gens {
		v := make([]uint64, n)
		for i := range v {
			v[i] = fitCode(c, g(i))
		}
		shapes = append(shapes, v)
	}
	walk := refU(rng, n)
	for i := range walk {
		walk[i] = fitCode(c, walk[i]-50_000)
	}
	return append(shapes, walk)
}

// i64Bits is the bits of x, as for an i or I value.
func i64Bits(x int64) uint64 { return uint64(x) }

// numShapes returns columns of the numeric code c of every shape.
func numShapes(rng *rand.Rand, c format.Code, n int) [][]uint64 {
	if c.Float() {
		return floatShapes(rng, c, n)
	}
	return intShapes(rng, c, n)
}

func TestEncodeTimes_Chosen(t *testing.T) {
	shapes := timesShapes(rand.New(rand.NewPCG(1, 1)), refBlock)
	tests := []struct {
		name string
		ts   []uint64
		want byte
	}{
		{"one per second", shapes[0], timesConstStep},
		{"jitter", shapes[1], timesPacked},
		{"accelerating", shapes[2], timesDeltaVar},
		{"one", []uint64{refStart}, timesDeltaVar},
		{"two", []uint64{refStart, refStart + 1e9}, timesConstStep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if enc := roundTripTimes(t, tt.ts); enc[0] != tt.want {
				t.Errorf("codec %#x, want %#x (%d bytes)", enc[0], tt.want, len(enc))
			}
		})
	}
}

func TestEncodeTimes_Layout(t *testing.T) {
	tests := []struct {
		name string
		ts   []uint64
		want []byte
	}{
		{"constant step", []uint64{5, 8, 11}, []byte{timesConstStep, 5, 3}},
		{"delta of delta", []uint64{300}, []byte{timesDeltaVar, 0xac, 0x02}},
		// deltas 10, 20, ... 100: every delta-of-delta is 10 (zigzag 20)
		{"delta of delta, growing", []uint64{0, 10, 30, 60, 100, 150, 210, 280, 360, 450, 550},
			[]byte{timesDeltaVar, 0, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}},
		// deltas 1 2 1 2 2 2 2 2 2: min 1, width 1, bits 0 1 0 1 1 1 1 1 1
		{"packed", []uint64{0, 1, 3, 4, 6, 8, 10, 12, 14, 16},
			[]byte{timesPacked, 0, 1, 1, 0b11111010, 0b1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roundTripTimes(t, tt.ts); !slices.Equal(got, tt.want) {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func TestDecodeTimes_Rejects(t *testing.T) {
	huge := binary.AppendUvarint(nil, math.MaxUint64)
	tests := []struct {
		name string
		src  []byte
		n    int
	}{
		{"unknown codec", []byte{intConst, 0}, 1},
		{"zero step", []byte{timesConstStep, 5, 0}, 2},
		{"step overflows", append([]byte{timesConstStep, 2}, huge...), 2},
		{"step times n overflows", []byte{timesConstStep, 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 3},
		{"constant step trailing", []byte{timesConstStep, 5, 1, 0}, 2},
		{"delta zero", []byte{timesDeltaVar, 5, 0}, 2},
		{"delta wraps", append([]byte{timesDeltaVar, 5}, binary.AppendUvarint(nil, zigzag(-1))...), 2},
		{"delta varint short", []byte{timesDeltaVar, 5, 2}, 3},
		{"delta varint bad", []byte{timesDeltaVar, 5, 0x80, 0x80}, 3},
		{"packed width 65", []byte{timesPacked, 0, 1, 65}, 2},
		{"packed short", []byte{timesPacked, 0, 1, 8}, 2},
		{"packed long", []byte{timesPacked, 0, 1, 8, 0, 0}, 2},
		{"packed padding", []byte{timesPacked, 0, 1, 1, 0b100}, 2},
		{"packed repeats", []byte{timesPacked, 0, 0, 1, 0b10}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeTimes([]uint64{9}, tt.src, tt.n)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %d, %v; want ErrCorrupt", got, err)
			}
			if !slices.Equal(got, []uint64{9}) {
				t.Errorf("dst changed to %d on error", got)
			}
		})
	}
}

func TestTimes_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{1, 2, 3, 7, 64, 1000, refBlock, maxStreamValues} {
		for _, ts := range timesShapes(rng, n) {
			roundTripTimes(t, ts)
		}
	}
}

func TestTimes_Damage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, ts := range timesShapes(rng, 40) {
		checkDamage(t, 0, AppendTimes(nil, ts), len(ts))
	}
}

func TestEncodeNums_IntChosen(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	walk := refU(rng, refBlock)
	uniform := make([]uint64, refBlock)
	jumps := make([]uint64, refBlock)
	for i := range uniform {
		uniform[i] = uint64(rng.IntN(100))
		jumps[i] = uint64(i) + uint64(i/100)*1e12
	}
	tests := []struct {
		name string
		c    format.Code
		v    []uint64
		want byte
	}{
		{"constant", format.U64, slices.Repeat([]uint64{7}, 100), intConst},
		{"one", format.I32, []uint64{fitCode(format.I32, 1<<63)}, intConst},
		{"random walk", format.U32, walk, intDeltaPacked},
		{"counter", format.I64, []uint64{10, 11, 12, 13}, intDeltaPacked},
		{"uniform", format.U32, uniform, intPacked},
		{"rare jumps", format.U64, jumps, intDeltaVar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if enc := roundTripNums(t, tt.c, tt.v); enc[0] != tt.want {
				t.Errorf("codec %#x, want %#x (%d bytes)", enc[0], tt.want, len(enc))
			}
		})
	}
}

func TestEncodeNums_IntLayout(t *testing.T) {
	neg := uint64(math.MaxUint64) // -1 as an i or I
	tests := []struct {
		name string
		c    format.Code
		v    []uint64
		want []byte
	}{
		{"constant u", format.U32, []uint64{300, 300}, []byte{intConst, 0xac, 0x02}},
		{"constant i", format.I32, []uint64{neg}, []byte{intConst, 1}},
		{"delta varint", format.U64, []uint64{0, 1 << 40, 1<<40 + 1, 1<<40 + 2}, slices.Concat(
			[]byte{intDeltaVar, 0}, binary.AppendUvarint(nil, zigzag(1<<40)), []byte{2, 2})},
		// first -1000 (zigzag 1999), deltas 2 1 2 1: min 1 (zigzag 2),
		// width 1, packed 1 0 1 0
		{"packed deltas", format.I64, []uint64{i64Bits(-1000), i64Bits(-998), i64Bits(-997), i64Bits(-995), i64Bits(-994)},
			[]byte{intDeltaPacked, 0xcf, 0x0f, 2, 1, 0b0101}},
		{"packed deltas, width 0", format.U32, []uint64{1000, 1003, 1006, 1009, 1012},
			[]byte{intDeltaPacked, 0xe8, 0x07, 6, 0}},
		// base -1 (zigzag 1), values less base 0 3 2 1 0 3, width 2
		{"packed values", format.I64, []uint64{neg, 2, 1, 0, neg, 2}, []byte{intPacked, 1, 2, 0b01_10_11_00, 0b11_00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roundTripNums(t, tt.c, tt.v); !slices.Equal(got, tt.want) {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func TestDecodeNums_IntRejects(t *testing.T) {
	u33 := binary.AppendUvarint([]byte{intConst}, 1<<32)
	tests := []struct {
		name string
		c    format.Code
		src  []byte
		n    int
	}{
		{"u too big", format.U32, u33, 1},
		{"f bits too big", format.F32, u33, 1},
		{"i not sign-extended", format.I32, binary.AppendUvarint([]byte{intConst}, zigzag(1<<31)), 1},
		{"u delta past 2^32", format.U32, []byte{intDeltaVar, 0xfe, 0xff, 0xff, 0xff, 0x0f, 4}, 2},
		{"unknown codec", format.U64, []byte{timesConstStep, 0, 0}, 2},
		{"float codec", format.I64, []byte{floatRaw, 0, 0, 0, 0, 0, 0, 0, 0}, 1},
		{"constant trailing", format.U64, []byte{intConst, 1, 1}, 2},
		{"constant bad varint", format.U64, []byte{intConst, 0x80}, 2},
		{"delta short", format.U64, []byte{intDeltaVar, 1, 2}, 3},
		{"delta trailing", format.U64, []byte{intDeltaVar, 1, 2, 2}, 2},
		{"packed deltas width", format.U64, []byte{intDeltaPacked, 1, 1, 65}, 2},
		{"packed deltas short", format.U64, []byte{intDeltaPacked, 1, 1, 8}, 2},
		{"packed values long", format.U64, []byte{intPacked, 1, 8, 1, 2, 3}, 2},
		{"packed values padding", format.U64, []byte{intPacked, 1, 1, 0b100}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeNums([]uint64{9}, tt.src, tt.c, tt.n)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %d, %v; want ErrCorrupt", got, err)
			}
			if !slices.Equal(got, []uint64{9}) {
				t.Errorf("dst changed to %d on error", got)
			}
		})
	}
}

func TestInts_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, c := range []format.Code{format.U32, format.U64, format.I32, format.I64} {
		for _, n := range []int{1, 2, 3, 9, 100, refBlock} {
			for _, v := range intShapes(rng, c, n) {
				roundTripNums(t, c, v)
			}
		}
	}
}

func TestInts_RoundTripRandomWidths(t *testing.T) {
	// Every packing width, at every alignment within a word.
	rng := rand.New(rand.NewPCG(6, 6))
	for w := range 65 {
		for n := 1; n < 70; n += 3 {
			v := make([]uint64, n)
			for i := range v {
				v[i] = rng.Uint64() >> (64 - w) // w = 0: all 0
			}
			roundTripNums(t, format.U64, v)
			roundTripNums(t, format.I64, v)
		}
	}
}

func TestInts_Damage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range []format.Code{format.U32, format.U64, format.I32, format.I64} {
		for _, v := range intShapes(rng, c, 30) {
			checkDamage(t, c, AppendNums(nil, c, v), len(v))
		}
	}
}
