package codec

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/klauspost/compress/zstd"
)

// This file holds what the codec tests share: the reference data of
// the README's performance table, round-trip and corruption checks, the fuzz
// targets and the benchmarks.

// refBlock is the block size of the reference measurements.
const refBlock = 4096

// refStart is the first timestamp of the reference data, 2020-01-01.
const refStart = 1577836800_000_000_000

// refTimes returns n timestamps one second apart from refStart.
func refTimes(n int) []uint64 {
	ts := make([]uint64, n)
	for i := range ts {
		ts[i] = refStart + uint64(i)*1e9
	}
	return ts
}

// refU returns one key's u column of the reference data: a start uniform
// in [1000, 100000), then steps uniform in [-50, 50], clamped at 0.
func refU(rng *rand.Rand, n int) []uint64 {
	v := make([]uint64, n)
	x := int64(1000 + rng.IntN(99000))
	for i := range v {
		if i > 0 {
			x = max(0, x+int64(rng.IntN(101))-50)
		}
		v[i] = uint64(x)
	}
	return v
}

// refF returns one key's F column of the reference data: a start uniform in
// [-100, 100), then Gaussian steps of sigma 1. (The text is printed with
// the shortest round-trip decimal, so the parsed bits are these.)
func refF(rng *rand.Rand, n int) []uint64 {
	v := make([]uint64, n)
	x := rng.Float64()*200 - 100
	for i := range v {
		if i > 0 {
			x += rng.NormFloat64()
		}
		v[i] = math.Float64bits(x)
	}
	return v
}

// refKeys returns the columns of keys keys of n values of the reference
// data of code c (u or F), split in blocks of at most refBlock values.
func refKeys(c format.Code, keys, n int) [][]uint64 {
	rng := rand.New(rand.NewPCG(1, 2))
	var blocks [][]uint64
	for range keys {
		var v []uint64
		if c == format.U32 {
			v = refU(rng, n)
		} else {
			v = refF(rng, n)
		}
		for len(v) > 0 {
			k := min(len(v), refBlock)
			blocks = append(blocks, v[:k])
			v = v[k:]
		}
	}
	return blocks
}

// roundTripNums encodes v, checks that it decodes to v, and returns the
// encoding.
func roundTripNums(t *testing.T, c format.Code, v []uint64) []byte {
	t.Helper()
	enc := AppendNums([]byte{0xee}, c, v)[1:] // appends, never overwrites
	got, err := DecodeNums([]uint64{7}, enc, c, len(v))
	if err != nil {
		t.Fatalf("decode %c codec %#x: %v", c, enc[0], err)
	}
	if !slices.Equal(got[1:], v) || got[0] != 7 {
		t.Fatalf("%c codec %#x: round trip differs\n got %x\nwant %x", c, enc[0], got[1:], v)
	}
	return enc
}

// roundTripTimes encodes ts, checks that it decodes to ts, and returns the
// encoding.
func roundTripTimes(t *testing.T, ts []uint64) []byte {
	t.Helper()
	enc := AppendTimes([]byte{0xee}, ts)[1:]
	got, err := DecodeTimes([]uint64{7}, enc, len(ts))
	if err != nil {
		t.Fatalf("decode times codec %#x: %v", enc[0], err)
	}
	if !slices.Equal(got[1:], ts) || got[0] != 7 {
		t.Fatalf("times codec %#x: round trip differs\n got %d\nwant %d", enc[0], got[1:], ts)
	}
	return enc
}

// decodeFunc decodes n values of a stream, as DecodeTimes or DecodeNums of
// one code.
type decodeFunc func(src []byte, n int) ([]uint64, error)

// timesDecoder is DecodeTimes as a decodeFunc.
func timesDecoder(src []byte, n int) ([]uint64, error) { return DecodeTimes(nil, src, n) }

// numsDecoder is DecodeNums of code c as a decodeFunc.
func numsDecoder(c format.Code) decodeFunc {
	return func(src []byte, n int) ([]uint64, error) { return DecodeNums(nil, src, c, n) }
}

// reencode is the encoder matching a decodeFunc: AppendTimes for c = 0.
func reencode(c format.Code, v []uint64) []byte {
	if c == 0 {
		return AppendTimes(nil, v)
	}
	return AppendNums(nil, c, v)
}

// checkDecode decodes src as n values of code c (0 for timestamps) and
// checks what must hold for any input: no panic, an error wrapping
// ErrCorrupt or exactly n values, at most n values' worth of memory, and
// values that encode and decode back to themselves.
func checkDecode(t *testing.T, c format.Code, src []byte, n int) {
	t.Helper()
	dec := timesDecoder
	if c != 0 {
		dec = numsDecoder(c)
	}
	got, err := dec(src, n)
	if cap(got) > max(n, 0)*5/4+64 { // room for the allocator's size classes
		t.Fatalf("decode %d values of %x: capacity %d", n, src, cap(got))
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("decode %x: error %v does not wrap ErrCorrupt", src, err)
		}
		return
	}
	if len(got) != n {
		t.Fatalf("decode %d values of %x: got %d", n, src, len(got))
	}
	again, err := dec(reencode(c, got), n)
	if err != nil || !slices.Equal(again, got) {
		t.Fatalf("decode %x gave %x, which does not round-trip (%v)", src, got, err)
	}
}

// checkDamage feeds every truncation, every extension by a byte and
// random bit flips of the valid encoding enc of n values to checkDecode.
func checkDamage(t *testing.T, c format.Code, enc []byte, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(len(enc)), uint64(n)))
	for i := range enc {
		checkDecode(t, c, enc[:i], n)
	}
	checkDecode(t, c, append(slices.Clip(enc), 0), n)
	checkDecode(t, c, enc, n+1)
	checkDecode(t, c, enc, n-1)
	for range 200 {
		bad := slices.Clone(enc)
		for range 1 + rng.IntN(3) {
			bit := rng.IntN(8 * len(bad))
			bad[bit/8] ^= 1 << (bit % 8)
		}
		checkDecode(t, c, bad, n)
	}
}

// numCodes are the numeric codes.
var numCodes = []format.Code{format.U32, format.U64, format.I32, format.I64, format.F32, format.F64}

func TestDecodeNums_NonNumericCode(t *testing.T) {
	for _, c := range []format.Code{format.Str, format.Bin, 0, 'x'} {
		if _, err := DecodeNums(nil, []byte{intConst, 0}, c, 1); !errors.Is(err, ErrCorrupt) {
			t.Errorf("code %q: got %v, want ErrCorrupt", c, err)
		}
	}
}

func TestDecode_Count(t *testing.T) {
	valid := AppendNums(nil, format.U64, []uint64{1, 2})
	tests := []struct {
		name string
		src  []byte
		n    int
	}{
		{"negative", valid, -1},
		{"too many", AppendNums(nil, format.U64, []uint64{0}), maxStreamValues + 1},
		{"huge", valid, math.MaxInt},
		{"empty stream", nil, 1},
		{"empty codec with values", []byte{codecEmpty}, 1},
		{"values without count", valid, 0},
		{"empty codec trailing byte", []byte{codecEmpty, 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeNums(nil, tt.src, format.U64, tt.n); !errors.Is(err, ErrCorrupt) {
				t.Errorf("DecodeNums: got %v, want ErrCorrupt", err)
			}
			if _, err := DecodeTimes(nil, tt.src, tt.n); !errors.Is(err, ErrCorrupt) {
				t.Errorf("DecodeTimes: got %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestEncode_Empty(t *testing.T) {
	if got := AppendTimes(nil, nil); !slices.Equal(got, []byte{codecEmpty}) {
		t.Errorf("AppendTimes(nil) = %x", got)
	}
	if got, err := DecodeTimes(nil, []byte{codecEmpty}, 0); err != nil || len(got) != 0 {
		t.Errorf("DecodeTimes empty = %v, %v", got, err)
	}
	for _, c := range numCodes {
		roundTripNums(t, c, nil)
	}
}

func TestCorruptMaxValues(t *testing.T) {
	// A constant stream is the one that can ask for many values from few
	// bytes; the bound keeps it at a block's worth.
	enc := AppendNums(nil, format.U64, []uint64{5})
	got, err := DecodeNums(nil, enc, format.U64, maxStreamValues)
	if err != nil || len(got) != maxStreamValues {
		t.Fatalf("decode %d constant values: %d, %v", maxStreamValues, len(got), err)
	}
}

// FuzzDecodeTimes checks that DecodeTimes never panics nor overallocates,
// and that what it accepts round-trips.
func FuzzDecodeTimes(f *testing.F) {
	for _, ts := range timesShapes(rand.New(rand.NewPCG(3, 4)), 50) {
		f.Add(AppendTimes(nil, ts), len(ts))
	}
	f.Add([]byte{timesConstStep, 1, 1}, 3)
	f.Fuzz(func(t *testing.T, src []byte, n int) {
		checkDecode(t, 0, src, n)
	})
}

// FuzzDecodeNums checks that DecodeNums never panics nor overallocates,
// and that what it accepts round-trips, for every numeric code.
func FuzzDecodeNums(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i, c := range numCodes {
		for _, v := range numShapes(rng, c, 40) {
			f.Add(AppendNums(nil, c, v), byte(i), len(v))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, code byte, n int) {
		checkDecode(t, numCodes[int(code)%len(numCodes)], src, n)
	})
}

// benchBlocks returns reference-shaped columns of code c: 32 blocks of
// refBlock values, as 4 keys of 32768 values.
func benchBlocks(c format.Code) [][]uint64 { return refKeys(c, 4, 8*refBlock) }

func BenchmarkEncodeNums(b *testing.B) {
	for _, c := range []format.Code{format.U32, format.F64} {
		b.Run(fmt.Sprintf("code=%c", c), func(b *testing.B) {
			blocks := benchBlocks(c)
			var dst []byte
			b.SetBytes(int64(8 * refBlock))
			b.ReportAllocs()
			i, size := 0, 0
			for b.Loop() {
				dst = AppendNums(dst[:0], c, blocks[i%len(blocks)])
				i, size = i+1, size+len(dst)
			}
			b.ReportMetric(float64(size)/float64(i*refBlock), "B/value")
		})
	}
}

func BenchmarkDecodeNums(b *testing.B) {
	for _, c := range []format.Code{format.U32, format.F64} {
		b.Run(fmt.Sprintf("code=%c", c), func(b *testing.B) {
			var encs [][]byte
			for _, v := range benchBlocks(c) {
				encs = append(encs, AppendNums(nil, c, v))
			}
			dst := make([]uint64, 0, refBlock)
			b.SetBytes(int64(8 * refBlock))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				var err error
				dst, err = DecodeNums(dst[:0], encs[i%len(encs)], c, refBlock)
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func BenchmarkEncodeTimes(b *testing.B) {
	ts := refTimes(refBlock)
	var dst []byte
	b.SetBytes(int64(8 * refBlock))
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendTimes(dst[:0], ts)
	}
}

func BenchmarkDecodeTimes(b *testing.B) {
	enc := AppendTimes(nil, refTimes(refBlock))
	dst := make([]uint64, 0, refBlock)
	b.SetBytes(int64(8 * refBlock))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = DecodeTimes(dst[:0], enc, refBlock); err != nil {
			b.Fatal(err)
		}
	}
}

// forceNums encodes v, of code c, with codec id, or with the codec
// AppendNums picks for id 0.
func forceNums(c format.Code, id byte, v []uint64) []byte {
	flip, w := signFlip(c), floatWidth(c)
	s := statInts(v, flip)
	switch id {
	case intDeltaVar:
		return appendIntDeltaVar(nil, c, v)
	case intDeltaPacked:
		return appendIntDeltaPacked(nil, c, v, s.minD, uint(bits.Len64(uint64(s.maxD-s.minD))))
	case intPacked:
		return appendIntPacked(nil, c, v, s.minK^flip, uint(bits.Len64(s.maxK-s.minK)))
	case floatGorilla:
		return appendGorilla(nil, v, w)
	case floatPlanes:
		var xs xorStats
		xs.scan(v)
		return appendPlanes(nil, v, w, xs.or)
	case floatRaw:
		return appendRaw(nil, v, w)
	}
	return AppendNums(nil, c, v)
}

// TestReferenceSizes measures the codecs on the reference data of
// the reference data of the README (100 keys of 10,000 samples, in blocks of 4096, each block
// being its timestamps and its values, alone and compressed by zstd as the
// block writer would) and checks what AppendNums picks against the size
// targets, less room for keys, block headers and index. Run with -v for
// the table.
func TestReferenceSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 2M values")
	}
	tests := []struct {
		c   format.Code
		ids []byte
		max float64 // bytes a value after zstd
	}{
		{format.U32, []byte{0, intDeltaVar, intDeltaPacked, intPacked}, 1.0},
		{format.F64, []byte{0, floatGorilla, floatPlanes, floatRaw}, 7.0},
	}
	for _, tt := range tests {
		blocks := refKeys(tt.c, 100, 10000)
		for _, id := range tt.ids {
			var n, times, raw, fast, def int
			for _, v := range blocks {
				body := AppendTimes(nil, refTimes(len(v)))
				times += len(body)
				body = append(body, forceNums(tt.c, id, v)...)
				n, raw = n+len(v), raw+len(body)
				fast += zstdSize(t, zstd.SpeedFastest, body)
				def += zstdSize(t, zstd.SpeedDefault, body)
			}
			per := func(x int) float64 { return float64(x) / float64(n) }
			name := fmt.Sprintf("codec %#x", id)
			if id == 0 {
				name = "picked  "
			}
			t.Logf("%c %s: %.3f bytes/value, %.3f after zstd fastest, %.3f after zstd default (timestamps %.4f)",
				tt.c, name, per(raw), per(fast), per(def), per(times))
			if id == 0 && per(fast) > tt.max {
				t.Errorf("%c: %.3f bytes/value, want at most %.1f", tt.c, per(fast), tt.max)
			}
		}
	}
}

// zstdEncoders caches one encoder per level for zstdSize.
var zstdEncoders = map[zstd.EncoderLevel]*zstd.Encoder{}

// zstdSize is the size of src compressed by zstd at level l, as the block
// writer would store it: compressed only when that is smaller.
func zstdSize(t testing.TB, l zstd.EncoderLevel, src []byte) int {
	t.Helper()
	enc := zstdEncoders[l]
	if enc == nil {
		var err error
		enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(l), zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		zstdEncoders[l] = enc
	}
	return min(len(enc.EncodeAll(src, nil)), len(src))
}
