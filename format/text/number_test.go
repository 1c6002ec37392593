package text

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

func TestParseValue_Integers(t *testing.T) {
	tests := []struct {
		code format.Code
		in   string
		want uint64
		err  error
	}{
		{format.U32, "0", 0, nil},
		{format.U32, "+7", 7, nil},
		{format.U32, "07", 7, nil},
		{format.U32, "4294967295", math.MaxUint32, nil},
		{format.U32, "00000000000000000000004294967295", math.MaxUint32, nil},
		{format.U32, "4294967296", 0, errBadRange},
		{format.U32, "-1", 0, errNotUint},
		{format.U32, "-0", 0, errNotUint},
		{format.U32, "x", 0, errNotUint},
		{format.U32, "0x10", 0, errNotUint},
		{format.U32, "1_000", 0, errNotUint},
		{format.U32, "+", 0, errNotUint},
		{format.U32, "++1", 0, errNotUint},
		{format.U32, "1.0", 0, errNotUint},
		{format.U32, " 1", 0, errNotUint},
		{format.U64, "18446744073709551615", math.MaxUint64, nil},
		{format.U64, "18446744073709551616", 0, errBadRange},
		{format.U64, "99999999999999999999", 0, errBadRange},
		{format.U64, "999999999999999999999999999999x", 0, errNotUint},
		{format.U64, "1844674407370955161", 1844674407370955161, nil},
		{format.I32, "-2147483648", 1<<64 - 1<<31, nil},
		{format.I32, "2147483647", math.MaxInt32, nil},
		{format.I32, "2147483648", 0, errBadRange},
		{format.I32, "-2147483649", 0, errBadRange},
		{format.I32, "+5", 5, nil},
		{format.I32, "-0", 0, nil},
		{format.I32, "-1", math.MaxUint64, nil},
		{format.I32, "-", 0, errNotInt},
		{format.I32, "+-1", 0, errNotInt},
		{format.I32, "-+1", 0, errNotInt},
		{format.I32, "1e3", 0, errNotInt},
		{format.I64, "-9223372036854775808", 1 << 63, nil},
		{format.I64, "9223372036854775807", math.MaxInt64, nil},
		{format.I64, "9223372036854775808", 0, errBadRange},
		{format.I64, "-9223372036854775809", 0, errBadRange},
		{format.I64, "0x10", 0, errNotInt},
	}
	for _, tt := range tests {
		t.Run(string(tt.code)+"/"+tt.in, func(t *testing.T) {
			got, b, err := parseValue(tt.code, []byte(tt.in), nil)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want || b != nil {
				t.Errorf("ParseValue = %d, %q; want %d", got, b, tt.want)
			}
		})
	}
}

func TestParseValue_RangeErrorNamesBounds(t *testing.T) {
	_, _, err := parseValue(format.I32, []byte("2147483648"), nil)
	if err == nil || err.Error() != "out of range (-2147483648 to 2147483647)" {
		t.Errorf("err = %v", err)
	}
}

func TestParseValue_Variable(t *testing.T) {
	tests := []struct {
		code format.Code
		in   string
		want string
		err  error
	}{
		{format.Str, "x y", "x y", nil},
		{format.Bin, "aGVsbG8=", "hello", nil},
		{format.Bin, "aGVsbG8", "hello", nil},
		{format.Bin, "aGVsbA==", "hell", nil},
		{format.Bin, "aGVsbA", "hell", nil},
		{format.Bin, "aGVs", "hel", nil},
		{format.Bin, "aGVsbA=", "", errNotBase64},
		{format.Bin, "aGVsbB==", "", errNotBase64}, // non-zero trailing bits
		{format.Bin, "aGV\nsbA==", "", errNotBase64},
		{format.Bin, "a", "", errNotBase64},
		{format.Bin, "a-_b", "", errNotBase64}, // URL alphabet
	}
	for _, tt := range tests {
		t.Run(string(tt.code)+"/"+tt.in, func(t *testing.T) {
			num, b, err := parseValue(tt.code, []byte(tt.in), make([]byte, 3, 16))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if num != 0 || err == nil && string(b) != tt.want {
				t.Errorf("ParseValue = %d, %q; want %q", num, b, tt.want)
			}
		})
	}
}

func TestParseValue_UnknownCode(t *testing.T) {
	if _, _, err := parseValue('x', []byte("1"), nil); !errors.Is(err, format.ErrFormat) {
		t.Errorf("err = %v, want ErrFormat", err)
	}
}

func TestParseNanos(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"0", 0, ""},
		{"+1", 1, ""},
		{"1514764800000000000", 1514764800000000000, ""},
		{"18446744073709551615", math.MaxUint64, ""},
		{"18446744073709551616", 0, "out of range (0 to 18446744073709551615)"},
		{"-5", 0, "invalid nanoseconds"},
		{"2020-01-01", 0, "invalid nanoseconds"},
		{"", 0, "invalid nanoseconds"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNanos([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseNanos = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestAppendValue(t *testing.T) {
	tests := []struct {
		code format.Code
		num  uint64
		b    string
		want string
	}{
		{format.U32, math.MaxUint32, "", "4294967295"},
		{format.U64, math.MaxUint64, "", "18446744073709551615"},
		{format.I32, 1<<64 - 1<<31, "", "-2147483648"},
		{format.I64, 1 << 63, "", "-9223372036854775808"},
		{format.F32, uint64(math.Float32bits(-1.5)), "", "-1.50000000000000000"},
		{format.F64, math.Float64bits(-2.5), "", "-2.50000000000000000"},
		{format.Str, 0, "x y\\", `x\ y\\`},
		{format.Bin, 0, "hell", "aGVsbA=="},
		{format.Bin, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := AppendValue([]byte("<"), tt.code, tt.num, []byte(tt.b))
			if string(got) != "<"+tt.want {
				t.Errorf("AppendValue = %q, want %q", got, "<"+tt.want)
			}
		})
	}
}

// TestValue_RoundTrip parses, prints and parses again.
func TestValue_RoundTrip(t *testing.T) {
	tests := []struct {
		code format.Code
		in   string
	}{
		{format.U32, "+0004294967295"}, {format.U64, "18446744073709551615"},
		{format.I32, "-2147483648"}, {format.I64, "-9223372036854775808"}, {format.I64, "+9223372036854775807"},
		{format.F32, "0.1"}, {format.F32, "3.4028235e38"}, {format.F32, "1e-45"}, {format.F64, "1e300"}, {format.F64, "-2.5e-8"},
		{format.F64, "5e-324"}, {format.F64, "1.7976931348623157e308"}, {format.F32, "nan"}, {format.F64, "-Infinity"},
		{format.Str, "a b\\c\td"}, {format.Bin, "AAECAwQ"},
	}
	for _, tt := range tests {
		t.Run(string(tt.code)+"/"+tt.in, func(t *testing.T) {
			num, b, err := parseValue(tt.code, []byte(tt.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			text := AppendValue(nil, tt.code, num, b)
			tok, _, _, err := NextToken(text, nil)
			if err != nil {
				t.Fatal(err)
			}
			num2, b2, err := parseValue(tt.code, tok, nil)
			if err != nil {
				t.Fatalf("reparse %q: %v", text, err)
			}
			text2 := AppendValue(nil, tt.code, num2, b2)
			if string(text2) != string(text) {
				t.Errorf("%q printed %q, reprinted %q", tt.in, text, text2)
			}
			if !tt.code.Float() && (num2 != num || string(b2) != string(b)) {
				t.Errorf("%q became %d %q, then %d %q", tt.in, num, b, num2, b2)
			}
		})
	}
}

func TestParseDigits_LongZeroPadded(t *testing.T) {
	n, err := parseDigits([]byte(strings.Repeat("0", 100)+"42"), math.MaxUint64)
	if err != nil || n != 42 {
		t.Errorf("parseDigits = %d, %v", n, err)
	}
}

func TestParse8Digits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"00000000", 0, true}, {"12345678", 12345678, true}, {"99999999", 99999999, true},
		{"1234567/", 0, false}, {"1234567:", 0, false}, {"+1234567", 0, false}, {"1234 678", 0, false},
		{"\xb0\xb0\xb0\xb0\xb0\xb0\xb0\xb0", 0, false}, {"ÿ1234567", 0, false},
	} {
		got, ok := parse8Digits([]byte(tt.in))
		if ok != tt.ok || got != tt.want {
			t.Errorf("parse8Digits(%q) = %d, %v", tt.in, got, ok)
		}
	}
}

func FuzzParseDigits(f *testing.F) {
	for _, s := range []string{"0", "1577836800000000000", "18446744073709551615", "1234567x9012", "0000000000000000000000001"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		got, err := parseDigits(tok, math.MaxUint64)
		want, werr := strconv.ParseUint(string(tok), 10, 64)
		valid := len(tok) > 0 && strings.Trim(string(tok), "0123456789") == ""
		switch {
		case !valid && err != errNotUint:
			t.Fatalf("parseDigits(%q) = %d, %v; want invalid", tok, got, err)
		case valid && werr != nil && err != errBadRange:
			t.Fatalf("parseDigits(%q) = %d, %v; want out of range", tok, got, err)
		case valid && werr == nil && (err != nil || got != want):
			t.Fatalf("parseDigits(%q) = %d, %v; want %d", tok, got, err, want)
		}
	})
}

// parseValue parses one value token of code c, as the line parser does: A numeric
// code returns its bits in num (see Code); s returns tok itself in b; B
// decodes into buf[:0] and returns it in b.
func parseValue(c format.Code, tok, buf []byte) (num uint64, b []byte, err error) {
	switch c {
	case format.Str:
		return 0, tok, nil
	case format.Bin:
		b, err = appendBase64(buf[:0], tok)
		return 0, b, err
	}
	if !c.Valid() {
		return 0, nil, fmt.Errorf("%w: unknown code %q", format.ErrFormat, byte(c))
	}
	num, err = parseNum(c, tok)
	return num, nil, err
}
