package text

import (
	"bytes"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// checkPlain fails unless the plain-integer path, where it takes rest,
// agrees with the general one: NextToken, then ParseNanos or parseNum.
func checkPlain(t *testing.T, rest []byte) {
	t.Helper()
	tok, after, _, err := NextToken(rest, nil)
	if ts, a, ok := plainNanos(rest); ok {
		want, werr := ParseNanos(tok)
		if err != nil || werr != nil || ts != want || !bytes.Equal(a, after) {
			t.Fatalf("plainNanos(%q) = %d, %q; general: %d (%v), %q (%v)", rest, ts, a, want, werr, after, err)
		}
	}
	for _, c := range []format.Code{format.U32, format.U64, format.I32, format.I64, format.F32, format.F64} {
		v, a, ok := plainNum(c, rest)
		if !ok {
			continue
		}
		want, werr := parseNum(c, tok)
		if c.Float() { // and strconv, not only the short path that parseNum takes too
			sv, valid := strconvBits(c, string(tok))
			if !valid || sv != v {
				t.Fatalf("plainNum(%c, %q) = %#x; strconv gives %#x (valid %v)", c, rest, v, sv, valid)
			}
		}
		if err != nil || werr != nil || v != want || !bytes.Equal(a, after) {
			t.Fatalf("plainNum(%c, %q) = %d, %q; general: %d (%v), %q (%v)", c, rest, v, a, want, werr, after, err)
		}
	}
}

func TestPlainNum(t *testing.T) {
	tests := []struct {
		rest                 string
		nanos, u32, i32, i64 bool // taken by the plain path for these
	}{
		{"1577836800000000000 5", true, false, false, true},
		{"  42\t", true, true, true, true},
		{"+7 x", true, true, true, true},
		{"-7", false, false, true, true},
		{"-0", false, false, true, true},
		{"4294967295", true, true, false, true},
		{"4294967296", true, false, false, true},
		{"-2147483648", false, false, true, true},
		{"-2147483649", false, false, false, true},
		{"-9223372036854775808", false, false, false, true},
		{"9223372036854775808", true, false, false, false},
		{"9999999999999999999", true, false, false, false},
		{"18446744073709551615", false, false, false, false}, // 20 digits: the general path
		{"00000000000000000001", false, false, false, false},
		{"", false, false, false, false},
		{"  ", false, false, false, false},
		{"+", false, false, false, false},
		{"12a", false, false, false, false},
		{"1\\ 2", false, false, false, false},
		{"1.5", false, false, false, false},
		{"1\r", false, false, false, false},
	}
	for _, tt := range tests {
		rest := []byte(tt.rest)
		checkPlain(t, rest)
		_, _, nanos := plainNanos(rest)
		_, _, u32 := plainNum(format.U32, rest)
		_, _, i32 := plainNum(format.I32, rest)
		_, _, i64 := plainNum(format.I64, rest)
		if nanos != tt.nanos || u32 != tt.u32 || i32 != tt.i32 || i64 != tt.i64 {
			t.Errorf("%q: plain for nanos %v u32 %v i32 %v i64 %v; want %v %v %v %v",
				tt.rest, nanos, u32, i32, i64, tt.nanos, tt.u32, tt.i32, tt.i64)
		}
	}
	for _, rest := range []string{"1.5", " -12.345678901234567 x", "1e5\t", "0.1", ".5 ", "1.", "-0"} {
		if _, _, ok := plainNum(format.F64, []byte(rest)); !ok {
			t.Errorf("plainNum(F, %q) takes the general path", rest)
		}
	}
	for _, rest := range []string{"1.2.3", "1e", "1e1000", "nan", "1.5x", "1.5\\ ", "12345678901234567890.5", ""} {
		if _, _, ok := plainNum(format.F64, []byte(rest)); ok {
			t.Errorf("plainNum(F, %q) takes the plain path", rest)
		}
		checkPlain(t, []byte(rest))
	}
	if _, _, ok := plainNum(format.Str, []byte("1")); ok {
		t.Error("plainNum takes an s column")
	}
}

func FuzzPlainNum(f *testing.F) {
	for _, s := range []string{"1577836800000000000 5", " -2147483648", "+0", "99999999999999999999", "1\\ 2", "7\t8", "-12.345678901234567", "1.5e-3 x", "1.2.3"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rest []byte) { checkPlain(t, rest) })
}
