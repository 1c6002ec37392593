package text

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// Transcript 05 (and 04): what read prints for each add input.
var floatTranscript = []struct {
	code     format.Code
	in, want string
}{
	{format.F32, "1.5", "1.50000000000000000"},
	{format.F32, "0.1", "0.10000000149011612"},
	{format.F32, "nan", "NaN"},
	{format.F32, "NaN", "NaN"},
	{format.F32, "inf", "inf"},
	{format.F32, "-inf", "-inf"},
	{format.F32, "-0", "-0.00000000000000000"},
	{format.F32, "1e10", "10000000000.00000000000000000"},
	{format.F32, "+3", "3.00000000000000000"},
	{format.F32, "3.4028235e38", "340282346638528859811704183484516925440.00000000000000000"},
	{format.F32, "infinity", "inf"},
	{format.F32, "1E-3", "0.00100000004749745"},
	{format.F32, "37.686751", "37.68675231933593750"},
	{format.F32, "-122.602227", "-122.60222625732421875"},
	{format.F32, "-1.5", "-1.50000000000000000"},
	{format.F64, "0.1", "0.10000000000000001"},
	{format.F64, "37.686751", "37.68675100000000100"},
	{format.F64, "1e300", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.00000000000000000"},
	{format.F64, "-2.5e-8", "-0.00000002500000000"},
	{format.F64, "123456789.123456789", "123456789.12345679104328156"},
	{format.F64, "-2.5", "-2.50000000000000000"},
	{format.F64, "INF", "inf"},
	{format.F64, "-Infinity", "-inf"},
	{format.F64, "+inf", "inf"},
	{format.F64, "-nan", "NaN"},
	{format.F64, "1.", "1.00000000000000000"},
	{format.F64, ".5", "0.50000000000000000"},
	{format.F64, "1e-400", "0.00000000000000000"},
	{format.F64, "-1e-400", "-0.00000000000000000"},
	{format.F32, "1e-50", "0.00000000000000000"},
}

func TestParseFloat_Transcript(t *testing.T) {
	for _, tt := range floatTranscript {
		t.Run(string(tt.code)+"/"+tt.in, func(t *testing.T) {
			num, _, err := parseValue(tt.code, []byte(tt.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := AppendValue(nil, tt.code, num, nil); string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseFloat_Invalid(t *testing.T) {
	tests := []struct {
		code format.Code
		in   string
		err  error
	}{
		{format.F64, "0x1p-2", errNotFloat},
		{format.F64, "1_000", errNotFloat},
		{format.F64, "1_0.5", errNotFloat},
		{format.F64, "x", errNotFloat},
		{format.F64, "", errNotFloat},
		{format.F64, ".", errNotFloat},
		{format.F64, "e5", errNotFloat},
		{format.F64, "1e", errNotFloat},
		{format.F64, "--1", errNotFloat},
		{format.F64, "1.5.5", errNotFloat},
		{format.F64, "infin", errNotFloat},
		{format.F64, "infinityy", errNotFloat},
		{format.F64, "nana", errNotFloat},
		{format.F64, "+-inf", errNotFloat},
		{format.F64, "1 0", errNotFloat},
		{format.F64, "1e400", errBadRange},
		{format.F64, "-1e400", errBadRange},
		{format.F32, "1e39", errBadRange},
		{format.F32, "-3.5e38", errBadRange},
	}
	for _, tt := range tests {
		t.Run(string(tt.code)+"/"+tt.in, func(t *testing.T) {
			if _, _, err := parseValue(tt.code, []byte(tt.in), nil); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestParseFloat_CanonicalNaN(t *testing.T) {
	for _, in := range []string{"nan", "NAN", "-nan", "+NaN"} {
		if n, _, _ := parseValue(format.F32, []byte(in), nil); n != nan32Bits {
			t.Errorf("f %s = %#x", in, n)
		}
		if n, _, _ := parseValue(format.F64, []byte(in), nil); n != nan64Bits {
			t.Errorf("F %s = %#x", in, n)
		}
	}
}

// strconvFloat17 is the slow reference that appendFloat17 must equal.
func strconvFloat17(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'f', 17, 64)
}

// checkFloat17 fails t when appendFloat17(v) differs from strconv.
func checkFloat17(t *testing.T, v float64) {
	t.Helper()
	got := string(appendFloat17([]byte("x"), v))
	if want := "x" + strconvFloat17(v); got != want {
		t.Fatalf("appendFloat17(%v = %#x) = %s, want %s", v, math.Float64bits(v), got, want)
	}
}

func TestAppendFloat17(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0.00000000000000000"},
		{math.Copysign(0, -1), "-0.00000000000000000"},
		{1.5, "1.50000000000000000"},
		{1e10, "10000000000.00000000000000000"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{0x1p-18, "0.00000381469726562"},     // tie, rounds down to even 2
		{3 * 0x1p-18, "0.00001144409179688"}, // tie, rounds up to even 8
		{1 - 0x1p-53, "0.99999999999999989"},
		{0x1p63, "9223372036854775808.00000000000000000"},
		{0x1p64 - 0x1p11, "18446744073709549568.00000000000000000"},
		{0x1p64, "18446744073709551616.00000000000000000"}, // strconv path
		{5e-324, "0.00000000000000000"},
		{-5e-18, "-0.00000000000000001"},
		{5e-18, "0.00000000000000001"},
		{4e-18, "0.00000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := appendFloat17(nil, tt.v); string(got) != tt.want {
				t.Errorf("appendFloat17(%v) = %s, want %s", tt.v, got, tt.want)
			}
			checkFloat17(t, tt.v)
		})
	}
}

// TestAppendFloat17_MatchesStrconv compares the fast path with strconv on
// every boundary of its cases and on random bit patterns.
func TestAppendFloat17_MatchesStrconv(t *testing.T) {
	for e := -1080; e <= 70; e++ { // powers of two and their neighbours
		p := math.Ldexp(1, e)
		for _, v := range []float64{p, math.Nextafter(p, 0), math.Nextafter(p, 2*p), 3 * p, -p} {
			checkFloat17(t, v)
			checkFloat17(t, float64(float32(v)))
		}
	}
	for s := 1; s <= 60; s++ { // exact ties and their neighbours
		for k := range 64 {
			v := math.Ldexp(float64(2*k+1), -s)
			checkFloat17(t, v)
			checkFloat17(t, math.Nextafter(v, 0))
			checkFloat17(t, math.Nextafter(v, 1e300))
		}
	}
	for _, v := range []float64{0.99999999999999999, 9.999999999999999, 1e17, 1e19, 1.8446744073709552e19, 123456789.123456789} {
		checkFloat17(t, v)
		checkFloat17(t, math.Nextafter(v, 0))
	}
	n := 1_000_000
	if testing.Short() {
		n = 20_000
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		b := r.Uint64()
		checkFloat17(t, math.Float64frombits(b))
		checkFloat17(t, float64(math.Float32frombits(uint32(b))))
		// Random mantissas at the exponents data usually has.
		checkFloat17(t, math.Ldexp(float64(b>>11), r.IntN(100)-110))
	}
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1.5, 0.1, 0x1p-18, 1 - 0x1p-53, 0x1p64, 1e300, 5e-324} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, b uint64) {
		checkFloat17(t, math.Float64frombits(b))
		checkFloat17(t, float64(math.Float32frombits(uint32(b))))
		checkFloat17(t, float64(math.Float32frombits(uint32(b>>32))))
	})
}

func TestAppendFloat17_NoAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf = appendFloat17(buf[:0], 123456789.123456789)
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func BenchmarkAppendFloat17(b *testing.B) {
	for _, v := range []float64{37.686751, 0.1, 1e300} {
		b.Run("v="+strconv.FormatFloat(v, 'g', -1, 64), func(b *testing.B) {
			b.Run("impl=chime", func(b *testing.B) {
				b.ReportAllocs()
				buf := make([]byte, 0, 512)
				for b.Loop() {
					buf = appendFloat17(buf[:0], v)
				}
			})
			b.Run("impl=strconv", func(b *testing.B) {
				b.ReportAllocs()
				buf := make([]byte, 0, 512)
				for b.Loop() {
					buf = strconv.AppendFloat(buf[:0], v, 'f', 17, 64)
				}
			})
		})
	}
}
