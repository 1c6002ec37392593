package text

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format"
)

func TestCSVFormatter_Header(t *testing.T) {
	tests := []struct {
		width int
		cols  string
		want  string
	}{
		{0, "", "key,ts,time\n"},
		{1, "", "key,ts,time,v1\n"},
		{3, "", "key,ts,time,v1,v2,v3\n"},
		{4, "2,4-9", "key,ts,time,v2,v4\n"},
		{2, "none", "key,ts,time\n"},
	}
	for _, tt := range tests {
		f := CSVFormatter{Width: tt.width}
		if tt.cols != "" {
			var err error
			if f.Columns, err = ParseColumns(tt.cols); err != nil {
				t.Fatal(err)
			}
		}
		if got := string(f.AppendHeader(nil)); got != tt.want {
			t.Errorf("width %d columns %q: got %q, want %q", tt.width, tt.cols, got, tt.want)
		}
	}
}

func TestCSVFormatter_AppendRows(t *testing.T) {
	tests := []struct {
		format, line string
		width        int
		cols         string
		want         string
	}{
		{"uF", "k 1577836800000000000 1 2.5", 2, "",
			"k,1577836800000000000,2020-01-01T00:00:00Z,1,2.5"},
		{"u", "k 1577836800500000000 1", 3, "",
			"k,1577836800500000000,2020-01-01T00:00:00.500Z,1,,"},
		{"iIU", "k 1 -2147483648 -9223372036854775808 18446744073709551615", 3, "",
			"k,1,1970-01-01T00:00:00.000000001Z,-2147483648,-9223372036854775808,18446744073709551615"},
		{"fFFFFF", "k 1 0.1 0.1 -0 1e21 1e-7 nan", 6, "",
			"k,1,1970-01-01T00:00:00.000000001Z,0.1,0.1,-0,1e+21,1e-7,NaN"},
		{"FF", "k 1 inf -inf", 2, "",
			"k,1,1970-01-01T00:00:00.000000001Z,inf,-inf"},
		{"sss", `a,b 1 x"y line\nbreak plain`, 3, "",
			"\"a,b\",1,1970-01-01T00:00:00.000000001Z,\"x\"\"y\",\"line\nbreak\",plain"},
		{"us", "k 1 7", 2, "",
			`k,1,1970-01-01T00:00:00.000000001Z,7,""`},
		{"uB", "k 1 7 AQID", 3, "",
			"k,1,1970-01-01T00:00:00.000000001Z,7,AQID,"},
		{"uiF", "k 1 1 2 3", 3, "1,3",
			"k,1,1970-01-01T00:00:00.000000001Z,1,3"},
		{"u", "k 1 1", 3, "1,3",
			"k,1,1970-01-01T00:00:00.000000001Z,1,"},
		{"uuu", "k 1 1 2 3", 1, "",
			"k,1,1970-01-01T00:00:00.000000001Z,1,2,3"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			b, err := parseLine(format.Format(tt.format), tt.line)
			if err != nil {
				t.Fatal(err)
			}
			f := CSVFormatter{Width: tt.width}
			if tt.cols != "" {
				if f.Columns, err = ParseColumns(tt.cols); err != nil {
					t.Fatal(err)
				}
			}
			if got := string(f.AppendRows(nil, b, 0, 1)); got != tt.want+"\n" {
				t.Errorf("got  %q\nwant %q", got, tt.want+"\n")
			}
		})
	}
}

// TestCSVFormatter_Runs: the key cell rendered once per call is copied
// right to every line, after what dst held.
func TestCSVFormatter_Runs(t *testing.T) {
	var b format.Block
	b.Reset([]byte(`k "1"`), "u")
	b.Times = []uint64{1e9, 2e9, 3e9}
	b.Cols[0].Nums = []uint64{10, 20, 30}
	f := CSVFormatter{Width: 1}
	got := string(f.AppendRows([]byte("prev\n"), &b, 1, 3))
	want := "prev\n" +
		"\"k \"\"1\"\"\",2000000000,1970-01-01T00:00:02Z,20\n" +
		"\"k \"\"1\"\"\",3000000000,1970-01-01T00:00:03Z,30\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// FuzzCSVFormatter: the header and the lines read back with encoding/csv
// as records of equal length holding the rows they were printed from.
func FuzzCSVFormatter(f *testing.F) {
	f.Add([]byte("k"), "uF", uint64(1577836800000000000), []byte("\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x40"), 3)
	f.Add([]byte("a,\"b\r\n"), "iIfsB", uint64(1), []byte("\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\xc0\x7f\x05a\r\nb\"\x03\x00\x01\x02"), 5)
	f.Add([]byte("x"), "UfF", uint64(math.MaxUint64-10), []byte("\x00\x00\x80\x7f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\xff"), 0)
	f.Fuzz(func(t *testing.T, key []byte, fs string, ts uint64, raw []byte, extra int) {
		b, ok := fuzzBlock(key, fs, ts, raw)
		if !ok {
			return
		}
		cf := CSVFormatter{Width: b.Format.Len() + min(max(extra, 0), 3)}
		out := cf.AppendRows(cf.AppendHeader(nil), b, 0, b.Len())
		records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if len(records) != b.Len()+1 || len(records[0]) != 3+cf.Width {
			t.Fatalf("%q: %d records of %d fields", out, len(records), len(records[0]))
		}
		for i, rec := range records[1:] {
			if err := checkCSVRecord(b, i, rec); err != nil {
				t.Fatalf("%q: row %d: %v", out, i, err)
			}
		}
	})
}

// checkCSVRecord compares a record read by encoding/csv with row i of b.
// encoding/csv turns \r\n inside quotes into \n: so do the expectations.
func checkCSVRecord(b *format.Block, i int, rec []string) error {
	crlf := strings.NewReplacer("\r\n", "\n")
	if rec[0] != crlf.Replace(string(b.Key)) || rec[1] != strconv.FormatUint(b.Times[i], 10) {
		return fmt.Errorf("key %q ts %s", rec[0], rec[1])
	}
	tm, err := time.Parse(time.RFC3339Nano, rec[2])
	if err != nil || tm.Unix() != int64(b.Times[i]/1e9) || tm.Nanosecond() != int(b.Times[i]%1e9) {
		return fmt.Errorf("time %q: %v", rec[2], err)
	}
	for col, cell := range rec[3:] {
		if col >= len(b.Cols) {
			if cell != "" {
				return fmt.Errorf("cell %d past the row: %q", col, cell)
			}
			continue
		}
		if err := checkCSVCell(b, col, i, crlf.Replace(cell)); err != nil {
			return fmt.Errorf("column %d: %v", col, err)
		}
	}
	return nil
}

func checkCSVCell(b *format.Block, col, i int, cell string) error {
	c := b.Format.Code(col)
	want := expectedValue(b, col, i)
	if c == format.Str {
		want = strings.NewReplacer("\r\n", "\n").Replace(string(b.Bytes(col, i)))
	}
	if !c.Float() || want == "NaN" || want == "inf" || want == "-inf" {
		if cell != want {
			return fmt.Errorf("%q, want %q", cell, want)
		}
		return nil
	}
	bitSize := 64
	if c == format.F32 {
		bitSize = 32
	}
	f, err := strconv.ParseFloat(cell, bitSize)
	if err != nil || strconv.FormatUint(math.Float64bits(f), 16) != want {
		return fmt.Errorf("%q, want the float with bits %s", cell, want)
	}
	return nil
}

func BenchmarkCSVFormatter(b *testing.B) {
	for _, f := range []format.Format{"u", "F"} {
		b.Run("format="+string(f), func(b *testing.B) {
			blk := benchBlock(f, 4096)
			cf := CSVFormatter{Width: 1}
			buf := cf.AppendRows(nil, blk, 0, blk.Len())
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = cf.AppendRows(buf[:0], blk, 0, blk.Len())
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(blk.Len()), "ns/row")
		})
	}
}
