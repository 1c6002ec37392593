package text

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
)

func TestJSONFormatter_AppendRows(t *testing.T) {
	tests := []struct {
		format, line string
		cols         string
		want         string
	}{
		{"uF", "k 1577836800000000000 1 2.5", "",
			`{"key":"k","ts":1577836800000000000,"time":"2020-01-01T00:00:00Z","format":"uF","values":[1,2.5]}`},
		{"iIU", "k 1500000000 -2147483648 -9223372036854775808 18446744073709551615", "",
			`{"key":"k","ts":1500000000,"time":"1970-01-01T00:00:01.500Z","format":"iIU","values":[-2147483648,-9223372036854775808,18446744073709551615]}`},
		{"fFFFFF", "k 5 0.1 0.1 -0 1e21 1e-7 123456789", "",
			`{"key":"k","ts":5,"time":"1970-01-01T00:00:00.000000005Z","format":"fFFFFF","values":[0.1,0.1,-0,1e+21,1e-7,123456789]}`},
		{"fFF", "k 1000 nan inf -inf", "",
			`{"key":"k","ts":1000,"time":"1970-01-01T00:00:00.000001Z","format":"fFF","values":["NaN","inf","-inf"]}`},
		{"sB", `a"b\\c\td 1 x\ "y" AQID`, "",
			`{"key":"a\"b\\c\td","ts":1,"time":"1970-01-01T00:00:00.000000001Z","format":"sB","values":["x \"y\"","AQID"]}`},
		{"us", "k 1 7", "",
			`{"key":"k","ts":1,"time":"1970-01-01T00:00:00.000000001Z","format":"us","values":[7,""]}`},
		{"uiF", "k 1 1 2 3", "1,3",
			`{"key":"k","ts":1,"time":"1970-01-01T00:00:00.000000001Z","format":"uF","values":[1,3]}`},
		{"u", "k 1 1", "none",
			`{"key":"k","ts":1,"time":"1970-01-01T00:00:00.000000001Z","format":"","values":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			b, err := parseLine(format.Format(tt.format), tt.line)
			if err != nil {
				t.Fatal(err)
			}
			f := JSONFormatter{}
			if tt.cols != "" {
				if f.Columns, err = ParseColumns(tt.cols); err != nil {
					t.Fatal(err)
				}
			}
			got := string(f.AppendRows(nil, b, 0, 1))
			if got != tt.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

// TestJSONFormatter_Runs: the key and format parts rendered once per call
// are copied right to every line, after what dst held.
func TestJSONFormatter_Runs(t *testing.T) {
	var b format.Block
	b.Reset([]byte("k\n"), "us")
	for i, s := range []string{"a", "", "c,d"} {
		b.Times = append(b.Times, uint64(i+1)*1e9)
		b.Cols[0].Nums = append(b.Cols[0].Nums, uint64(i))
		b.AppendBytes(1, []byte(s))
	}
	var f JSONFormatter
	got := string(f.AppendRows([]byte("prev\n"), &b, 1, 3))
	want := "prev\n" +
		`{"key":"k\n","ts":2000000000,"time":"1970-01-01T00:00:02Z","format":"us","values":[1,""]}` + "\n" +
		`{"key":"k\n","ts":3000000000,"time":"1970-01-01T00:00:03Z","format":"us","values":[2,"c,d"]}` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := f.AppendRows(nil, &b, 2, 2); len(got) != 0 {
		t.Errorf("empty run printed %q", got)
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\n\t\r\b\f\x00\x1f\x7f", `"\n\t\r\b\f\u0000\u001f` + "\x7f\""},
		{"héllo €", `"héllo €"`},
		{"a\xffb\xc3", `"a\ufffdb\ufffd"`},
		{"<&>\u2028", "\"<&>\u2028\""},
	}
	for _, tt := range tests {
		got := string(AppendJSONString(nil, []byte(tt.in)))
		if got != tt.want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var s string
		if err := json.Unmarshal([]byte(got), &s); err != nil || s != validUTF8(tt.in) {
			t.Errorf("AppendJSONString(%q) = %s: reads back as %q, %v", tt.in, got, s, err)
		}
	}
}

func TestAppendRFC3339(t *testing.T) {
	tests := []struct {
		ns   uint64
		want string
	}{
		{0, "1970-01-01T00:00:00Z"},
		{1577836800000000000, "2020-01-01T00:00:00Z"},
		{1577836800123456789, "2020-01-01T00:00:00.123456789Z"},
		{1577836800120000000, "2020-01-01T00:00:00.120Z"},
		{math.MaxUint64, "2554-07-21T23:34:33.709551615Z"},
	}
	for _, tt := range tests {
		if got := string(timefmt.AppendRFC3339(nil, tt.ns)); got != tt.want {
			t.Errorf("timefmt.AppendRFC3339(%d) = %s, want %s", tt.ns, got, tt.want)
		}
		if tm, err := time.Parse(time.RFC3339Nano, tt.want); err != nil || uint64(tm.UnixNano()) != tt.ns && tt.ns < math.MaxInt64 {
			t.Errorf("%s does not parse back to %d: %v", tt.want, tt.ns, err)
		}
	}
}

// validUTF8 replaces each byte of invalid UTF-8 by U+FFFD, as
// AppendJSONString does.
func validUTF8(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// fuzzBlock builds a block of rows of format f for key, at times from ts
// on, with values taken from raw. It reports false when the inputs make
// no valid block.
func fuzzBlock(key []byte, f string, ts uint64, raw []byte) (*format.Block, bool) {
	rf, err := format.ParseFormat(f)
	if err != nil || len(key) == 0 || len(f) > 8 {
		return nil, false
	}
	b := new(format.Block)
	b.Reset(key, rf)
	for row := 0; row < 3 && ts < math.MaxUint64-3; row++ {
		b.Times = append(b.Times, ts+uint64(row))
		for col := range b.Cols {
			raw = fuzzValue(b, col, raw)
		}
	}
	return b, true
}

// fuzzValue appends one value of column col taken from raw, and returns
// what is left of raw.
func fuzzValue(b *format.Block, col int, raw []byte) []byte {
	c := b.Format.Code(col)
	if c.Variable() {
		n := 0
		if len(raw) > 0 {
			n, raw = min(int(raw[0])%16, len(raw)-1), raw[1:]
		}
		b.AppendBytes(col, raw[:n])
		return raw[n:]
	}
	var word [8]byte
	n := copy(word[:], raw)
	v := binary.LittleEndian.Uint64(word[:])
	switch c {
	case format.U32, format.F32:
		v &= math.MaxUint32
	case format.I32:
		v = uint64(int64(int32(v)))
	}
	b.Cols[col].Nums = append(b.Cols[col].Nums, v)
	return raw[n:]
}

// FuzzJSONFormatter: every line is valid JSON that reads back, with
// encoding/json, as the row it was printed from.
func FuzzJSONFormatter(f *testing.F) {
	f.Add([]byte("k"), "uF", uint64(1577836800000000000), []byte("\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x40"))
	f.Add([]byte("a\"\\\n\xff"), "iIfsB", uint64(1), []byte("\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\xc0\x7f\x05\xe2\x82\xac\xff\"\x03\x00\x01\x02"))
	f.Add([]byte("x"), "UfF", uint64(math.MaxUint64-10), []byte("\x00\x00\x80\x7f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\xff"))
	f.Fuzz(func(t *testing.T, key []byte, format string, ts uint64, raw []byte) {
		b, ok := fuzzBlock(key, format, ts, raw)
		if !ok {
			return
		}
		var jf JSONFormatter
		out := jf.AppendRows(nil, b, 0, b.Len())
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		for i := 0; i < b.Len(); i++ {
			var row struct {
				Key, Time, Format string
				TS                json.Number
				Values            []any
			}
			if err := dec.Decode(&row); err != nil {
				t.Fatalf("line %d of %q: %v", i, out, err)
			}
			checkJSONRow(t, b, i, row.Key, row.TS, row.Time, row.Format, row.Values)
		}
		if dec.More() {
			t.Fatalf("more lines than rows in %q", out)
		}
	})
}

func checkJSONRow(t *testing.T, b *format.Block, i int, key string, ts json.Number, tm, format string, values []any) {
	t.Helper()
	if key != validUTF8(string(b.Key)) || ts.String() != strconv.FormatUint(b.Times[i], 10) || format != string(b.Format) {
		t.Fatalf("row %d: key %q ts %s format %q", i, key, ts, format)
	}
	if parsed, err := time.Parse(time.RFC3339Nano, tm); err != nil || parsed.Unix() != int64(b.Times[i]/1e9) || parsed.Nanosecond() != int(b.Times[i]%1e9) {
		t.Fatalf("row %d: time %q for %d: %v", i, tm, b.Times[i], err)
	}
	if len(values) != len(b.Cols) {
		t.Fatalf("row %d: %d values, want %d", i, len(values), len(b.Cols))
	}
	for col, v := range values {
		if err := checkJSONValue(b, col, i, v); err != nil {
			t.Fatalf("row %d column %d: %v", i, col, err)
		}
	}
}

// checkJSONValue compares the decoded value v with row i, column col.
func checkJSONValue(b *format.Block, col, i int, v any) error {
	c := b.Format.Code(col)
	want := expectedValue(b, col, i)
	s, isString := v.(string)
	n, isNumber := v.(json.Number)
	switch {
	case c.Variable() || want == "NaN" || want == "inf" || want == "-inf":
		if !isString || s != want {
			return fmt.Errorf("%#v, want the string %q", v, want)
		}
	case c.Float():
		bitSize := 64
		if c == format.F32 {
			bitSize = 32
		}
		f, err := strconv.ParseFloat(n.String(), bitSize)
		if !isNumber || err != nil || strconv.FormatUint(math.Float64bits(f), 16) != want {
			return fmt.Errorf("%#v, want the float with bits %s", v, want)
		}
	default:
		if !isNumber || n.String() != want {
			return fmt.Errorf("%#v, want the number %s", v, want)
		}
	}
	return nil
}

// expectedValue is the value of row i, column col, as text: the string,
// the float's specials or the hex of its float64 bits, the integer.
func expectedValue(b *format.Block, col, i int) string {
	c := b.Format.Code(col)
	switch {
	case c == format.Str:
		return validUTF8(string(b.Bytes(col, i)))
	case c == format.Bin:
		return base64.StdEncoding.EncodeToString(b.Bytes(col, i))
	case c.Float():
		// Not through floatValue or appendFloatSpecial: the expectation
		// must not share code with what it checks.
		v := math.Float64frombits(b.Cols[col].Nums[i])
		if c == format.F32 {
			v = float64(math.Float32frombits(uint32(b.Cols[col].Nums[i])))
		}
		switch {
		case math.IsNaN(v):
			return "NaN"
		case math.IsInf(v, 1):
			return "inf"
		case math.IsInf(v, -1):
			return "-inf"
		}
		return strconv.FormatUint(math.Float64bits(v), 16)
	case c.Signed():
		return strconv.FormatInt(int64(b.Cols[col].Nums[i]), 10)
	}
	return strconv.FormatUint(b.Cols[col].Nums[i], 10)
}

func BenchmarkJSONFormatter(b *testing.B) {
	for _, f := range []format.Format{"u", "F"} {
		b.Run("format="+string(f), func(b *testing.B) {
			blk := benchBlock(f, 4096)
			var jf JSONFormatter
			buf := jf.AppendRows(nil, blk, 0, blk.Len())
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = jf.AppendRows(buf[:0], blk, 0, blk.Len())
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(blk.Len()), "ns/row")
		})
	}
}
