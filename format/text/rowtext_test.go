package text

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// TestRowFormatter_Columns follows transcript 14.
func TestRowFormatter_Columns(t *testing.T) {
	b, err := parseLine("uisF", `k 1 10 20 hello\ x 1.5`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		list        string
		printFormat bool
		want        string
	}{
		{"2,1", false, "k\t1\t10 20\n"},
		{"1 3", false, "k\t1\t10 hello\\ x\n"},
		{"1;4", false, "k\t1\t10 1.50000000000000000\n"},
		{"3-10", false, "k\t1\thello\\ x 1.50000000000000000\n"},
		{"none", false, "k\t1\t\n"},
		{"0", false, "k\t1\t\n"},
		{"2-1", false, "k\t1\t\n"},
		{"all", false, "k\t1\t10 20 hello\\ x 1.50000000000000000\n"},
		{"2", true, "k\t1\tuisF\t20\n"},
		{"none", true, "k\t1\tuisF\t\n"},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			cols, err := ParseColumns(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			if got := readLine(b, tt.printFormat, cols); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRowFormatter_AppendRows(t *testing.T) {
	p := LineParser{Format: "sB"}
	var b format.Block
	b.Reset([]byte("my key\t"), p.Format)
	for _, rest := range []string{"1 a AQID", `2 b\ c`, "3", "4 \\\\ AA=="} {
		if err := p.AppendRow(&b, []byte(rest)); err != nil {
			t.Fatal(err)
		}
	}
	rf := RowFormatter{AppendTime: func(dst []byte, ns uint64) []byte {
		return append(strconv.AppendUint(append(dst, '<'), ns, 10), '>')
	}}
	got := string(rf.AppendRows([]byte("prev\n"), &b, 1, 4))
	want := "prev\n" +
		"my\\ key\\t\t<2>\tb\\ c \n" +
		"my\\ key\\t\t<3>\t \n" +
		"my\\ key\\t\t<4>\t\\\\ AA==\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := rf.AppendRows(nil, &b, 2, 2); len(got) != 0 {
		t.Errorf("empty range printed %q", got)
	}
}

func TestRowFormatter_NoAllocs(t *testing.T) {
	b := benchBlock("F", 100)
	var rf RowFormatter
	buf := make([]byte, 0, 1<<16)
	if allocs := testing.AllocsPerRun(100, func() { buf = rf.AppendRows(buf[:0], b, 0, b.Len()) }); allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

// benchBlock returns a block of n rows of format f, parsed from benchLines.
func benchBlock(f format.Format, n int) *format.Block {
	p := LineParser{Format: f}
	b := new(format.Block)
	b.Reset([]byte("sensor.0000"), f)
	for _, line := range benchLines(f, n) {
		_, rest, err := p.Key(line)
		if err == nil {
			err = p.AppendRow(b, rest)
		}
		if err != nil {
			panic(err)
		}
	}
	return b
}

func BenchmarkAppendRows(b *testing.B) {
	for _, f := range []format.Format{"u", "F"} {
		b.Run("format="+string(f), func(b *testing.B) {
			blk := benchBlock(f, 4096)
			var rf RowFormatter
			buf := rf.AppendRows(nil, blk, 0, blk.Len())
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = rf.AppendRows(buf[:0], blk, 0, blk.Len())
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(blk.Len()), "ns/row")
		})
	}
}

func ExampleRowFormatter() {
	p := LineParser{Format: "uF"}
	key, rest, _ := p.Key([]byte("my\\ key 1577836800000000000 7 0.1\n"))
	var b format.Block
	b.Reset(key, p.Format)
	if err := p.AppendRow(&b, rest); err != nil {
		panic(err)
	}
	rf := RowFormatter{PrintFormat: true}
	fmt.Print(string(rf.AppendRows(nil, &b, 0, b.Len())))
	// Output: my\ key	1577836800000000000	uF	7 0.10000000000000001
}
