package text

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// strconvBits is what parseFloat gave before the short path: the bits of
// strconv.ParseFloat at c's size, and whether it accepted the literal.
func strconvBits(c format.Code, s string) (uint64, bool) {
	if c == format.F32 {
		v, err := strconv.ParseFloat(s, 32)
		return uint64(math.Float32bits(float32(v))), err == nil
	}
	v, err := strconv.ParseFloat(s, 64)
	return math.Float64bits(v), err == nil
}

// checkShortFloat fails when the short path accepts s with other bits
// than strconv's, or accepts what strconv refuses.
func checkShortFloat(t *testing.T, c format.Code, s string) (handled bool) {
	t.Helper()
	got, ok := parseShortFloat(c, []byte(s))
	if !ok {
		return false
	}
	want, valid := strconvBits(c, s)
	if !valid || got != want {
		t.Fatalf("parseShortFloat(%c, %q) = %#x; strconv gives %#x (valid %v)", c, s, got, want, valid)
	}
	return true
}

func TestParseShortFloat(t *testing.T) {
	tests := []struct {
		in      string
		handled bool // by the short path rather than strconv
	}{
		{"0", true}, {"-0", true}, {"+0.000", true}, {"-0e5", true},
		{"1", true}, {"-1.5", true}, {"+3", true}, {"1.", true}, {".5", true},
		{"0.1", true}, {"0.3", true}, {"-12.345678901234567", true},
		{"95.12345678901234", true}, {"123456789012345678.9", true},
		{"9007199254740993", true},      // 2^53+1: a tie, to even
		{"9007199254740995", true},      // a tie, up to even
		{"18446744073709551615", false}, // 20 digits
		{"1844674407370955161", true}, {"9999999999999999999", true},
		{"0.0000000000000000001", true}, {"1e-19", true}, {"1e19", true},
		{"1e-20", false}, {"1e20", false}, {"12.5e-3", true}, {"12.5E+3", true},
		{"0.000123", true}, {"00012.50", true},
		{"3.4028235e38", false}, {"1e39", false},
		{"inf", false}, {"nan", false}, {"-Infinity", false},
		{"", false}, {".", false}, {"-", false}, {"1..2", false}, {"1e", false},
		{"1e+", false}, {"1e1000", false}, {"0x1p-2", false}, {"1_000", false},
		{"1.2.3", false}, {"1e5.5", false}, {"--1", false}, {"12a", false},
	}
	for _, c := range []format.Code{format.F64, format.F32} {
		for _, tt := range tests {
			if got := checkShortFloat(t, c, tt.in); got != tt.handled {
				t.Errorf("%c %q: handled %v, want %v", c, tt.in, got, tt.handled)
			}
		}
	}
}

// The reference data's values (a random walk printed shortest) and
// decimals of every length, exponent and rounding case, against strconv.
func TestParseShortFloat_Random(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	handled := 0
	for range 200000 {
		var s string
		switch r.IntN(4) {
		case 0:
			s = strconv.FormatFloat(r.NormFloat64()*100, 'g', -1, 64)
		case 1:
			s = strconv.FormatFloat(float64(float32(r.NormFloat64()*100)), 'g', -1, 32)
		case 2: // random digits, a dot somewhere, maybe an exponent
			n := 1 + r.IntN(20)
			b := make([]byte, 0, n+8)
			for range n {
				b = append(b, byte('0'+r.IntN(10)))
			}
			if r.IntN(2) == 0 {
				at := r.IntN(n + 1)
				b = append(b[:at], append([]byte{'.'}, b[at:]...)...)
			}
			if r.IntN(3) == 0 {
				b = strconv.AppendInt(append(b, 'e'), int64(r.IntN(41)-20), 10)
			}
			s = string(b)
		case 3: // halfway between two float64s, and a hair either side
			v := math.Float64frombits(r.Uint64() >> 12 << 12 & (1<<63 - 1))
			s = strconv.FormatFloat(v, 'e', 16+r.IntN(3), 64)
		}
		for _, c := range []format.Code{format.F64, format.F32} {
			if checkShortFloat(t, c, s) {
				handled++
			}
		}
	}
	if handled < 200000 {
		t.Errorf("the short path took %d of 400000 literals, want most", handled)
	}
}

func FuzzParseShortFloat(f *testing.F) {
	for _, s := range []string{"-12.345678901234567", "0.1", "1e-19", "9007199254740993", ".5", "1.", "-0", "12.5e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkShortFloat(t, format.F64, s)
		checkShortFloat(t, format.F32, s)
	})
}

func BenchmarkParseFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	toks := make([][]byte, 4096)
	x := 0.0
	for i := range toks {
		x += r.NormFloat64()
		toks[i] = strconv.AppendFloat(nil, x, 'g', -1, 64)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := parseFloat(format.F64, toks[i%len(toks)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
