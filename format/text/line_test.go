package text

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format"
)

// parseLine parses one add line into a new block of format f, with
// ParseNanos timestamps.
func parseLine(f format.Format, line string) (*format.Block, error) {
	p := LineParser{Format: f}
	key, rest, err := p.Key([]byte(line))
	if err != nil || key == nil {
		return nil, err
	}
	b := new(format.Block)
	b.Reset(key, f)
	if err := p.AppendRow(b, rest); err != nil {
		return nil, err
	}
	return b, nil
}

// readLine is what read --timestamp-nanos [--print-format] prints for b.
func readLine(b *format.Block, printFormat bool, cols *ColumnSet) string {
	rf := RowFormatter{PrintFormat: printFormat, Columns: cols}
	return string(rf.AppendRows(nil, b, 0, b.Len()))
}

// TestLineParser_Transcripts replays the add inputs of transcripts 04 to
// 08 and checks what read --timestamp-nanos --print-format prints.
func TestLineParser_Transcripts(t *testing.T) {
	tests := []struct {
		format, line, want string
	}{
		{"iIuUfFs", `k 1 -2147483648 -9223372036854775808 4294967295 18446744073709551615 -1.5 -2.5 x\ y`,
			"k\t1\tiIuUfFs\t-2147483648 -9223372036854775808 4294967295 18446744073709551615 -1.50000000000000000 -2.50000000000000000 x\\ y\n"},
		{"u", "a 1 +7", "a\t1\tu\t7\n"},
		{"u", "a 2 07", "a\t2\tu\t7\n"},
		{"u", "a 3 0", "a\t3\tu\t0\n"},
		{"s", `my\ key 1 Now\ a\ string`, "my\\ key\t1\ts\tNow\\ a\\ string\n"},
		{"s", `t 1 tab\there`, "t\t1\ts\ttab\\there\n"},
		{"s", `t 2 nl\nx`, "t\t2\ts\tnl\\nx\n"},
		{"s", `t 3 back\\slash`, "t\t3\ts\tback\\\\slash\n"},
		{"s", `t 4 q\qz`, "t\t4\ts\tqqz\n"},
		{"s", "t 5 été", "t\t5\ts\tété\n"},
		{"s", `t 6 bell\a\b\v\f\r`, "t\t6\ts\tbell\\a\\b\\v\\f\\r\n"},
		{"u", `a\tb 1 1`, "a\\tb\t1\tu\t1\n"},
		{"ss", "b 1 x", "b\t1\tss\tx \n"},
		{"ss", "b 1", "b\t1\tss\t \n"},
		{"uBs", "b 1 5", "b\t1\tuBs\t5  \n"},
		{"B", "b 1 aGVsbA", "b\t1\tB\taGVsbA==\n"},
		{"u", "  k \t 1\t 2 \t", "k\t1\tu\t2\n"},
		{"u", "k 1 2\r\n", "k\t1\tu\t2\n"},
		{"u", "k 1 2\n", "k\t1\tu\t2\n"},
		// an escaped space ending the line ends the value; sonnerie crashed
		{"s", "k 1 abc\\ ", "k\t1\ts\tabc\\ \n"},
		{"s", "k 1 abc\\ \r\n", "k\t1\ts\tabc\\ \n"},
		{"ss", "k 1 abc\\  \t", "k\t1\tss\tabc\\  \n"},
		{"u", "k +18446744073709551615 2", "k\t18446744073709551615\tu\t2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			b, err := parseLine(format.Format(tt.format), tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if got := readLine(b, true, nil); got != tt.want {
				t.Errorf("read prints %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLineParser_Errors(t *testing.T) {
	long := strings.Repeat("k", format.MaxKeyLen+1)
	tests := []struct {
		format, line, err string
	}{
		{"u", "b 1 -1", `value "-1" for column 1 (u): invalid unsigned integer`},
		{"u", "b 1 x", `value "x" for column 1 (u): invalid unsigned integer`},
		{"u", "b 1 0x10", `value "0x10" for column 1 (u): invalid unsigned integer`},
		{"u", "b 1 1_000", `value "1_000" for column 1 (u): invalid unsigned integer`},
		{"u", "b 1 4294967296", `value "4294967296" for column 1 (u): out of range (0 to 4294967295)`},
		{"i", "b 1 2147483648", `value "2147483648" for column 1 (i): out of range (-2147483648 to 2147483647)`},
		{"uf", "b 1 1 1e39", `value "1e39" for column 2 (f): out of range for float32`},
		{"F", "b 1 1e400", `value "1e400" for column 1 (F): out of range for float64`},
		{"F", "b 1 0x1p3", `value "0x1p3" for column 1 (F): invalid float`},
		{"B", "b 1 a", `value "a" for column 1 (B): invalid base64`},
		{"u", "b 1 1 2", `2 values for format "u" (want 1)`},
		{"ss", "c 1 x y z", `3 values for format "ss" (want 2)`},
		{"u", "b 1", `0 values for format "u" (want 1)`},
		{"uu", "b 1 1", `1 value for format "uu" (want 2)`},
		{"su", "b 1 x", `1 value for format "su" (want 2)`},
		{"u", "b", `missing timestamp`},
		{"u", "b -5 1", `timestamp "-5": invalid nanoseconds`},
		{"u", "b 18446744073709551616 1", `timestamp "18446744073709551616": out of range (0 to 18446744073709551615)`},
		{"u", `b\`, `key: backslash at end of line`},
		{"u", `b 1 1\`, `backslash at end of line`},
		{"u", `b 1 1 \`, `2 values for format "u" (want 1)`},
		{"u", long + " 1 1", fmt.Sprintf("key %q... of %d bytes is too long (at most %d)", long[:64], format.MaxKeyLen+1, format.MaxKeyLen)},
	}
	for _, tt := range tests {
		t.Run(tt.line[:min(len(tt.line), 40)], func(t *testing.T) {
			_, err := parseLine(format.Format(tt.format), tt.line)
			if err == nil || err.Error() != tt.err {
				t.Errorf("err = %v, want %s", err, tt.err)
			}
		})
	}
}

func TestLineParser_ValueTooLong(t *testing.T) {
	for _, f := range []format.Format{"s", "B"} {
		v := strings.Repeat("A", format.MaxValueLen+4)
		if f == "B" {
			v = strings.Repeat("AAAA", format.MaxValueLen/3+1)
		}
		_, err := parseLine(f, "k 1 "+v)
		want := fmt.Sprintf("value %q... for column 1 (%s): longer than %d bytes", v[:64], f, format.MaxValueLen)
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", f, err, want)
		}
	}
}

func TestLineParser_BlankLines(t *testing.T) {
	p := LineParser{Format: "u"}
	for _, line := range []string{"", "\n", "\r\n", " \t \r\n"} {
		key, rest, err := p.Key([]byte(line))
		if key != nil || err != nil || len(rest) != 0 {
			t.Errorf("Key(%q) = %q, %q, %v", line, key, rest, err)
		}
	}
}

// TestLineParser_ErrorLeavesBlock checks that a bad line leaves the rows
// already appended, and nothing else, in every kind of column.
func TestLineParser_ErrorLeavesBlock(t *testing.T) {
	f := format.Format("sBuF")
	p := LineParser{Format: f}
	var b format.Block
	b.Reset([]byte("k"), f)
	good := []string{"k 1 a AQID 1 1.5", "k 2 bb BAU= 2 2.5"}
	for _, line := range good {
		_, rest, _ := p.Key([]byte(line))
		if err := p.AppendRow(&b, rest); err != nil {
			t.Fatal(err)
		}
	}
	want := readLine(&b, false, nil)
	for _, bad := range []string{"k 3 x AQID 3 x", "k 3 x AQID x", "k 3 x !!", "k x", "k 3 x AQID 3 1 9", `k 3 x\`} {
		_, rest, _ := p.Key([]byte(bad))
		if err := p.AppendRow(&b, rest); err == nil {
			t.Fatalf("%q: no error", bad)
		}
		if got := readLine(&b, false, nil); got != want {
			t.Fatalf("after %q the block prints %q, want %q", bad, got, want)
		}
		if n := len(b.Cols[0].Data) + len(b.Cols[1].Data); n != 3+5 {
			t.Fatalf("after %q the data holds %d bytes", bad, n)
		}
	}
}

func TestLineParser_ParseTime(t *testing.T) {
	p := LineParser{Format: "ff", ParseTime: func(tok []byte) (uint64, error) {
		tm, err := time.Parse("2006-01-02T15:04:05", string(tok))
		return uint64(tm.UnixNano()), err
	}}
	key, rest, err := p.Key([]byte("oceanic-airlines 2018-01-01T00:00:00 37.686751 -122.602227"))
	if err != nil {
		t.Fatal(err)
	}
	var b format.Block
	b.Reset(key, p.Format)
	if err := p.AppendRow(&b, rest); err != nil {
		t.Fatal(err)
	}
	want := "oceanic-airlines\t1514764800000000000\tff\t37.68675231933593750 -122.60222625732421875\n"
	if got := readLine(&b, true, nil); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, rest, _ = p.Key([]byte("k 2018-01-01 1 2"))
	if err := p.AppendRow(&b, rest); err == nil || !strings.HasPrefix(err.Error(), `timestamp "2018-01-01": parsing time`) {
		t.Errorf("err = %v", err)
	}
}

// TestLineParser_MisuseIsAnError: a block of another format, or a parser
// of an invalid format, is an error, never a panic.
func TestLineParser_MisuseIsAnError(t *testing.T) {
	p := LineParser{Format: "u"}
	var b format.Block
	b.Reset([]byte("k"), "U")
	if err := p.AppendRow(&b, []byte("1 1")); err == nil {
		t.Error("a block of another format was accepted")
	}
	for _, f := range []format.Format{"", "uq", "x"} {
		p := LineParser{Format: f}
		b.Reset([]byte("k"), f)
		if err := p.AppendRow(&b, []byte("1 1")); err == nil {
			t.Errorf("format %q was accepted", f)
		}
	}
}

func TestLineParser_NoAllocs(t *testing.T) {
	for _, f := range []format.Format{"u", "F", "sB"} {
		line := []byte(map[format.Format]string{"u": "some.key 1577836800000000000 12345", "F": "k\\ x 1 37.686751",
			"sB": `k 1 a\ string AQIDBA==`}[f])
		p := LineParser{Format: f}
		var b format.Block
		b.Reset([]byte("k"), f)
		allocs := testing.AllocsPerRun(1000, func() {
			if b.Len() == 100 {
				b.Truncate(0)
			}
			_, rest, err := p.Key(line)
			if err == nil {
				err = p.AppendRow(&b, rest)
			}
			if err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per line", f, allocs)
		}
	}
}

// FuzzLineParser parses arbitrary lines: no panic, a failed line leaves
// the block empty, and a parsed row prints as a line that parses back to
// the same row and prints the same again.
func FuzzLineParser(f *testing.F) {
	seeds := []struct{ format, line string }{
		{"u", "k 1 2"}, {"iIuUfFs", `k 1 -2147483648 -9223372036854775808 4294967295 18446744073709551615 -1.5 -2.5 x\ y`},
		{"ss", "b 1 x"}, {"sB", `a\tb 5 \ AQID`}, {"fF", "k 1 nan -inf"}, {"F", "k 1 1e300"}, {"u", "k 1 1 2"},
		{"B", "k 1 aGVsbA"}, {"f", "k 1 1e39"}, {"U", `k\ 1 +2 3\`},
	}
	for _, s := range seeds {
		f.Add(s.format, []byte(s.line))
	}
	f.Fuzz(func(t *testing.T, fs string, line []byte) {
		fm, err := format.ParseFormat(fs)
		if err != nil {
			return
		}
		p := LineParser{Format: fm}
		key, rest, err := p.Key(line)
		if err != nil || key == nil {
			return
		}
		checkEscapeRoundTrip(t, key)
		var b format.Block
		b.Reset(key, fm)
		if err := p.AppendRow(&b, rest); err != nil {
			if b.Len() != 0 {
				t.Fatalf("failed row left %d rows", b.Len())
			}
			return
		}
		out := readLine(&b, false, nil)
		b2, err := parseLine(fm, out)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", line, out, err)
		}
		if !bytes.Equal(b2.Key, b.Key) || b2.Times[0] != b.Times[0] {
			t.Fatalf("%q printed as %q, which parses to key %q time %d", line, out, b2.Key, b2.Times[0])
		}
		for col := range fm.Len() {
			c := fm.Code(col)
			if !c.Float() && !c.Variable() && b2.Cols[col].Nums[0] != b.Cols[col].Nums[0] ||
				c.Variable() && !bytes.Equal(b2.Bytes(col, 0), b.Bytes(col, 0)) {
				t.Fatalf("%q printed as %q, which parses to another column %d", line, out, col+1)
			}
		}
		if again := readLine(b2, false, nil); again != out {
			t.Fatalf("%q printed as %q, then as %q", line, out, again)
		}
	})
}

// benchLines returns n add lines of format f for one key.
func benchLines(f format.Format, n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		var v string
		switch f {
		case "u":
			v = fmt.Sprint(i * 7919 % 100000)
		case "F":
			v = fmt.Sprint(float64(i*7919%100000) / 1000)
		}
		lines[i] = fmt.Appendf(nil, "sensor.%04d %d %s\n", i/4096, 1577836800000000000+int64(i)*1e9, v)
	}
	return lines
}

func BenchmarkLineParser(b *testing.B) {
	for _, f := range []format.Format{"u", "F"} {
		b.Run("format="+string(f), func(b *testing.B) {
			lines := benchLines(f, 1<<14)
			size := 0
			for _, l := range lines {
				size += len(l)
			}
			p := LineParser{Format: f}
			var blk format.Block
			blk.Reset(nil, f)
			b.SetBytes(int64(size / len(lines)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_, rest, err := p.Key(lines[i%len(lines)])
				if err == nil {
					err = p.AppendRow(&blk, rest)
				}
				if err != nil {
					b.Fatal(err)
				}
				if i++; blk.Len() == 4096 {
					blk.Truncate(0)
				}
			}
		})
	}
}
