package codec

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// floatBitsOf returns the bits of x as a value of the float code c.
func floatBitsOf(c format.Code, x float64) uint64 {
	if c == format.F32 {
		return uint64(math.Float32bits(float32(x)))
	}
	return math.Float64bits(x)
}

// floatShapes returns columns of the float code c of every shape the codecs
// care about, of about n values.
func floatShapes(rng *rand.Rand, c format.Code, n int) [][]uint64 {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat32, math.MaxInt64, 1e300}
	gens := []func(i int) float64{
		func(int) float64 { return 2.5 },
		func(i int) float64 { return float64(i)*0.01 - 3 },                    // decimal, p = 2
		func(int) float64 { return float64(rng.IntN(1e6)-5e5) / 1e3 },         // decimal, p = 3
		func(i int) float64 { return float64(int64(i)*1e15) / 1e15 * 1.0001 }, // mixed
		func(int) float64 { return rng.NormFloat64() * 1e-5 },
		func(i int) float64 { return specials[i%len(specials)] },
		func(int) float64 { return float64(rng.Int64N(1 << 62)) },
		func(i int) float64 { return float64(i%7) / 1e15 },
		func(int) float64 { return math.Float64frombits(rng.Uint64()) },
	}
	var shapes [][]uint64
	for _, x := range specials {
		shapes = append(shapes, []uint64{floatBitsOf(c, x)})
	}
	for _, g := range gens {
		v := make([]uint64, n)
		for i := range v {
			v[i] = floatBitsOf(c, g(i))
		}
		shapes = append(shapes, v)
	}
	walk := refF(rng, n)
	if c == format.F32 {
		walk = toF32(walk)
	}
	rawBits := make([]uint64, n)
	for i := range rawBits {
		rawBits[i] = rng.Uint64() >> (64 - floatWidth(c))
	}
	return append(shapes, walk, rawBits, slices.Repeat([]uint64{floatBitsOf(c, math.NaN())}, n))
}

func TestEncodeNums_FloatChosen(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	cents := make([]uint64, refBlock)
	tenths32 := make([]uint64, refBlock)
	narrow32 := make([]uint64, refBlock) // random low 16 bits, equal high 16
	random := make([]uint64, refBlock)
	for i := range cents {
		cents[i] = floatBitsOf(format.F64, float64(rng.IntN(100000))/100)
		tenths32[i] = floatBitsOf(format.F32, float64(rng.IntN(1000))/10)
		narrow32[i] = uint64(math.Float32bits(1)) | uint64(rng.Uint32()>>16)
		random[i] = rng.Uint64()
	}
	tests := []struct {
		name string
		c    format.Code
		v    []uint64
		want byte
	}{
		{"cents", format.F64, cents, floatDecimal},
		{"float32 tenths", format.F32, tenths32, floatDecimal},
		{"integers", format.F64, []uint64{floatBitsOf(format.F64, 100), floatBitsOf(format.F64, -300), floatBitsOf(format.F64, 5)}, floatDecimal},
		{"random walk", format.F64, refF(rng, refBlock), floatPlanes},
		{"mostly repeated", format.F64, sticky(rng, format.F64, refBlock), floatGorilla},
		{"float32 mostly repeated", format.F32, sticky(rng, format.F32, refBlock), floatGorilla},
		{"float32 random walk", format.F32, toF32(refF(rng, refBlock)), floatPlanes},
		{"float32 tiny random walk", format.F32, toF32(scaleF(refF(rng, refBlock), 1e-12)), floatPlanes},
		{"narrow float32", format.F32, narrow32, floatPlanes},
		{"random bits", format.F64, random, floatRaw},
		{"constant NaN", format.F64, slices.Repeat([]uint64{floatBitsOf(format.F64, math.NaN())}, 10), intConst},
		{"one", format.F32, []uint64{floatBitsOf(format.F32, math.Pi)}, intConst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if enc := roundTripNums(t, tt.c, tt.v); enc[0] != tt.want {
				t.Errorf("codec %#x, want %#x (%d bytes)", enc[0], tt.want, len(enc))
			}
		})
	}
}

func TestEncodeNums_FloatLayout(t *testing.T) {
	one, oneHalf := floatBitsOf(format.F64, 1), floatBitsOf(format.F64, 1.5)
	gorilla := appendGorilla(nil, []uint64{one, one, oneHalf, one}, 64)
	tests := []struct {
		name string
		c    format.Code
		v    []uint64
		got  []byte
		want []byte
	}{
		// 150 and 225 in an I delta varint stream: zigzag 300, 150
		{"decimal", format.F64, []uint64{floatBitsOf(format.F64, 1.5), floatBitsOf(format.F64, 2.25)}, nil,
			[]byte{floatDecimal, 2, intDeltaVar, 0xac, 0x02, 0x96, 0x01}},
		// 1 and 2 in an I delta varint stream
		{"decimal float32", format.F32, []uint64{floatBitsOf(format.F32, 0.1), floatBitsOf(format.F32, 0.2)}, nil,
			[]byte{floatDecimal, 1, intDeltaVar, 2, 2}},
		// 1.0 in 64 bits; 0 (same); 1,1, lead 12, len 1, m 1 (1.5); 1,0,
		// m 1 (1.0)
		{"Gorilla", format.F64, []uint64{one, one, oneHalf, one}, gorilla,
			[]byte{floatGorilla, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x66, 0xc1, 0x02}},
		// 1.0, then plane 6 of 1.0 XOR 1.5
		{"planes", format.F64, []uint64{one, oneHalf}, appendPlanes(nil, []uint64{one, oneHalf}, 64, one^oneHalf),
			[]byte{floatPlanes, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x40, 0x08}},
		{"raw float32", format.F32, []uint64{floatBitsOf(format.F32, 1)}, appendRaw(nil, []uint64{floatBitsOf(format.F32, 1)}, 32),
			[]byte{floatRaw, 0, 0, 0x80, 0x3f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got == nil {
				tt.got = roundTripNums(t, tt.c, tt.v)
			}
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %x, want %x", tt.got, tt.want)
			}
			if dec, err := DecodeNums(nil, tt.got, tt.c, len(tt.v)); err != nil || !slices.Equal(dec, tt.v) {
				t.Errorf("decode: %x, %v; want %x", dec, err, tt.v)
			}
		})
	}
}

func TestDecodeNums_FloatRejects(t *testing.T) {
	tests := []struct {
		name string
		c    format.Code
		src  []byte
		n    int
	}{
		{"decimal scale 16", format.F64, []byte{floatDecimal, 16, intConst, 0}, 1},
		{"decimal without ints", format.F64, []byte{floatDecimal, 2}, 1},
		{"decimal of floats", format.F64, []byte{floatDecimal, 2, floatRaw, 0, 0, 0, 0, 0, 0, 0, 0}, 1},
		{"decimal of decimal", format.F64, []byte{floatDecimal, 2, floatDecimal, 2, intConst, 0}, 1},
		{"decimal trailing", format.F32, []byte{floatDecimal, 2, intConst, 0, 0}, 1},
		{"Gorilla window unset", format.F64, []byte{floatGorilla, 0, 0, 0, 0, 0, 0, 0, 0, 0b01}, 2},
		// f: 32 bits, then 1,1, lead 31, len 2: 33 bits
		{"Gorilla window too wide", format.F32, []byte{floatGorilla, 0, 0, 0, 0, 0b01111111, 0b00000001}, 2},
		{"Gorilla short", format.F64, []byte{floatGorilla, 0, 0, 0, 0, 0, 0, 0, 0}, 2},
		{"Gorilla truncated window", format.F64, []byte{floatGorilla, 0, 0, 0, 0, 0, 0, 0, 0, 0xff}, 2},
		{"Gorilla padding", format.F64, []byte{floatGorilla, 0, 0, 0, 0, 0, 0, 0, 0, 0b10}, 2},
		{"Gorilla trailing", format.F64, []byte{floatGorilla, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 2},
		{"planes float32 mask", format.F32, []byte{floatPlanes, 0, 0, 0, 0, 0x10, 1}, 2},
		{"planes without mask", format.F64, []byte{floatPlanes, 0, 0, 0, 0, 0, 0, 0, 0}, 1},
		{"planes short", format.F64, []byte{floatPlanes, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 1, 2, 3}, 3},
		{"planes float32 short", format.F32, []byte{floatPlanes, 0, 0, 0, 0, 0x0f, 1, 2, 3}, 2},
		{"planes long", format.F64, []byte{floatPlanes, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 1}, 2},
		{"raw long", format.F32, []byte{floatRaw, 1, 2, 3, 4, 5}, 1},
		{"raw short", format.F64, []byte{floatRaw, 1, 2, 3, 4}, 1},
		{"unknown codec", format.F64, []byte{0x24}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeNums([]uint64{9}, tt.src, tt.c, tt.n)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %x, %v; want ErrCorrupt", got, err)
			}
			if !slices.Equal(got, []uint64{9}) {
				t.Errorf("dst changed to %x on error", got)
			}
		})
	}
}

func TestFloats_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []format.Code{format.F32, format.F64} {
		for _, n := range []int{1, 2, 3, 10, 100, refBlock} {
			for _, v := range floatShapes(rng, c, n) {
				roundTripNums(t, c, v)
			}
		}
	}
}

func TestFloats_RoundTripEveryCodec(t *testing.T) {
	// Whatever the encoder picks, each codec must carry any column.
	rng := rand.New(rand.NewPCG(10, 10))
	for _, c := range []format.Code{format.F32, format.F64} {
		w := floatWidth(c)
		for _, v := range floatShapes(rng, c, 50) {
			gorilla := appendGorilla(nil, v, w)
			var xs xorStats
			xs.scan(v)
			encs := [][]byte{gorilla, appendPlanes(nil, v, w, xs.or), appendRaw(nil, v, w)}
			if dec, ok := appendDecimalFloats(nil, c, v); ok {
				encs = append(encs, dec)
			}
			for _, enc := range encs {
				got, err := DecodeNums(nil, enc, c, len(v))
				if err != nil || !slices.Equal(got, v) {
					t.Fatalf("%c codec %#x: got %x, %v; want %x", c, enc[0], got, err, v)
				}
			}
		}
	}
}

func TestGorillaSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, c := range []format.Code{format.F32, format.F64} {
		w := floatWidth(c)
		for _, v := range floatShapes(rng, c, 300) {
			if got, want := gorillaSize(v, w), len(appendGorilla(nil, v, w)); got != want {
				t.Fatalf("%c: gorillaSize %d, stream of %d bytes", c, got, want)
			}
		}
	}
}

func TestDecimalInts(t *testing.T) {
	tests := []struct {
		name string
		c    format.Code
		v    []float64
		p    int
		ok   bool
	}{
		{"integers", format.F64, []float64{1, -2, 3e15}, 0, true},
		{"scale grows", format.F64, []float64{1, 0.5, 0.25, 0.125}, 3, true},
		{"float32 tenths", format.F32, []float64{0.1, 0.2, 0.3}, 1, true},
		{"max scale", format.F64, []float64{1e-15, 0.5}, 15, true},
		{"17 digits", format.F64, []float64{1, 0.1234567890123456789}, 0, false},
		{"negative zero", format.F64, []float64{math.Copysign(0, -1)}, 0, false},
		{"NaN", format.F64, []float64{1, math.NaN()}, 0, false},
		{"infinity", format.F32, []float64{math.Inf(-1)}, 0, false},
		{"beyond int64", format.F64, []float64{1e19}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := make([]uint64, len(tt.v))
			for i, x := range tt.v {
				v[i] = floatBitsOf(tt.c, x)
			}
			k, p, ok := decimalInts(nil, tt.c, v)
			if ok != tt.ok || p != tt.p {
				t.Fatalf("got p %d, %v; want %d, %v", p, ok, tt.p, tt.ok)
			}
			for i := range v {
				if !ok {
					break
				}
				if got := decimalValue(tt.c, int64(k[i]), p); got != v[i] {
					t.Errorf("value %d: %d/10^%d is %x, want %x", i, int64(k[i]), p, got, v[i])
				}
			}
		})
	}
}

// sticky returns a random walk of code c that moves (by a Gaussian step,
// from a start near 0.001) at one value in ten, as a sensor reporting its
// last reading.
func sticky(rng *rand.Rand, c format.Code, n int) []uint64 {
	v := make([]uint64, n)
	x := 0.001 + rng.Float64()
	for i := range v {
		if rng.IntN(10) == 0 {
			x += rng.NormFloat64()
		}
		v[i] = floatBitsOf(c, x)
	}
	return v
}

// scaleF multiplies F values by f.
func scaleF(v []uint64, f float64) []uint64 {
	for i, x := range v {
		v[i] = math.Float64bits(math.Float64frombits(x) * f)
	}
	return v
}

// toF32 rounds F values to f values.
func toF32(v []uint64) []uint64 {
	for i, x := range v {
		v[i] = floatBitsOf(format.F32, math.Float64frombits(x))
	}
	return v
}

func TestFloats_Damage(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, c := range []format.Code{format.F32, format.F64} {
		w := floatWidth(c)
		for _, v := range floatShapes(rng, c, 20) {
			gorilla := appendGorilla(nil, v, w)
			var xs xorStats
			xs.scan(v)
			checkDamage(t, c, gorilla, len(v))
			checkDamage(t, c, appendPlanes(nil, v, w, xs.or), len(v))
			checkDamage(t, c, AppendNums(nil, c, v), len(v))
		}
	}
}
