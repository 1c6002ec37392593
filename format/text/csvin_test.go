package text

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// readText renders blocks as read prints them (with the format), the
// common currency of the input tests.
func readText(blocks []*format.Block) string {
	rf := &RowFormatter{PrintFormat: true, AppendTime: timefmt.AppendNanos}
	var out []byte
	for _, b := range blocks {
		out = rf.AppendRows(out, b, 0, b.Len())
	}
	return string(out)
}

// collect returns a write function that keeps copies of the blocks.
func collect(blocks *[]*format.Block) func(*format.Block) error {
	return func(b *format.Block) error {
		c := &format.Block{}
		c.Reset(b.Key, b.Format)
		c.AppendRows(b, 0, b.Len())
		*blocks = append(*blocks, c)
		return nil
	}
}

func parseCSV(in string, o CSVOptions) (string, error) {
	var blocks []*format.Block
	err := ParseCSV(strings.NewReader(in), o, collect(&blocks))
	return readText(blocks), err
}

// TestParseCSV reads chime's own CSV and CSV as people have it.
func TestParseCSV(t *testing.T) {
	ymd, _ := timefmt.ParseLayout("%b %e %Y")
	tests := []struct {
		name string
		in   string
		o    CSVOptions
		want string
	}{
		{"chime's own", "key,ts,time,v1,v2\na,1,1970-01-01T00:00:00.000000001Z,1,2.5\na,2,x,3,\nb c,5,x,4,inf\n",
			CSVOptions{Format: "uF"}, "a\t1\tuF\t1 2.50000000000000000\na\t2\tu\t3\nb\\ c\t5\tuF\t4 inf\n"},
		{"time only", "key,time,v1\na,2020-01-01T00:00:00Z,1\n",
			CSVOptions{Format: "u"}, "a\t1577836800000000000\tu\t1\n"},
		{"crlf and blank lines", "key,ts,v1\r\n\r\na,1,7\r\n\r\n",
			CSVOptions{Format: "i"}, "a\t1\ti\t7\n"},
		{"stocks", "symbol,date,price\nMSFT,Jan 1 2000,39.81\nMSFT,Feb 1 2000,36.35\n",
			CSVOptions{Format: "F", KeyColumn: "symbol", TimeColumn: "date", ParseTime: ymd.ParseTime},
			"MSFT\t946684800000000000\tF\t39.81000000000000227\nMSFT\t949363200000000000\tF\t36.35000000000000142\n"},
		{"one series", "when,a,b\n3,1,2\n", CSVOptions{Format: "u", Key: []byte("s"), TimeColumn: "when"}, "s\t3\tuu\t1 2\n"},
		{"value columns", "key,ts,a,b,c\nk,1,1,2,3\n", CSVOptions{Format: "uu", ValueColumns: []string{"c", "a"}}, "k\t1\tuu\t3 1\n"},
		{"split", "date,precipitation,temp_max,weather\n2012-01-01,0.0,12.8,drizzle\n2012-01-02,,10.6,rain\n",
			CSVOptions{Format: "FFs", SplitPrefix: "seattle", TimeColumn: "date"},
			"seattle.precipitation\t1325376000000000000\tF\t0.00000000000000000\n" +
				"seattle.temp_max\t1325376000000000000\tF\t12.80000000000000071\n" +
				"seattle.weather\t1325376000000000000\ts\tdrizzle\n" +
				"seattle.temp_max\t1325462400000000000\tF\t10.59999999999999964\n" +
				"seattle.weather\t1325462400000000000\ts\train\n"},
		{"no rows", "key,ts,v1\n", CSVOptions{Format: "u"}, ""},
		{"empty export", "key,ts,time\n", CSVOptions{Format: "u"}, ""},
		{"empty input", "", CSVOptions{Format: "u"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCSV(tt.in, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestParseCSV_Quoted checks quoted cells byte for byte.
func TestParseCSV_Quoted(t *testing.T) {
	var blocks []*format.Block
	in := "key,ts,v1,v2\n\"k,1\",1,\"x \"\"y\"\"\",\"\"\n\"multi\nline\",2,z,\n"
	if err := ParseCSV(strings.NewReader(in), CSVOptions{Format: "ss"}, collect(&blocks)); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || string(blocks[0].Key) != "k,1" || string(blocks[0].Bytes(0, 0)) != `x "y"` || string(blocks[0].Bytes(1, 0)) != "" ||
		blocks[0].Format != "ss" || string(blocks[1].Key) != "multi\nline" || blocks[1].Format != "s" {
		t.Fatalf("blocks: %s", readText(blocks))
	}
}

// TestParseCSV_Errors gives one line naming the line and the column.
func TestParseCSV_Errors(t *testing.T) {
	tests := []struct {
		name, in string
		o        CSVOptions
		want     []string
	}{
		{"missing key column", "name,ts,v1\na,1,1\n", CSVOptions{Format: "u"}, []string{"line 1", `no key column "key"`, "name,ts,v1"}},
		{"missing time column", "key,v1\na,1\n", CSVOptions{Format: "u"}, []string{"line 1", `no time column "time"`}},
		{"missing value column", "key,ts,v1\na,1,1\n", CSVOptions{Format: "u", ValueColumns: []string{"v2"}}, []string{`no value column "v2"`}},
		{"format width", "key,ts,a,b,c\nk,1,1,2,3\n", CSVOptions{Format: "uu"}, []string{"line 1", `2 codes for 3 value columns (a,b,c)`}},
		{"no value column", "key,ts\na,1\n", CSVOptions{Format: "u"}, []string{"line 1", "no value columns"}},
		{"missing cell", "key,ts,v1,v2\na,1,1\n", CSVOptions{Format: "uu"}, []string{"line 2", "3 cells", "4 columns"}},
		{"bad number", "key,ts,v1\na,1,1\nb,2,x\n", CSVOptions{Format: "u"}, []string{"line 3", "column v1", `"x"`}},
		{"hole", "key,ts,v1,v2\na,1,,2\n", CSVOptions{Format: "uu"}, []string{"line 2", "column v1", "no holes"}},
		{"no values", "key,ts,v1\na,1,\n", CSVOptions{Format: "u"}, []string{"line 2", "no values"}},
		{"bad time", "key,ts,v1\na,yesterday,1\n", CSVOptions{Format: "u"}, []string{"line 2", "column ts", "--timestamp-format"}},
		{"empty key", "key,ts,v1\n,1,1\n", CSVOptions{Format: "u"}, []string{"line 2", "column key", "empty key"}},
		{"open quote", "key,ts,v1\n\"a,1,1\n", CSVOptions{Format: "u"}, []string{"line 2", "not closed"}},
		{"stray quote", "key,ts,v1\na\"b\"c,1,1\n", CSVOptions{Format: "u"}, []string{"line 2", "quote inside"}},
		{"text after quote", "key,ts,v1\n\"a\"b,1,1\n", CSVOptions{Format: "u"}, []string{"line 2", "after a quoted cell"}},
		{"duplicate header", "key,ts,ts\n", CSVOptions{Format: "u"}, []string{"line 1", "twice"}},
		{"empty string not last", "key,ts,v1,v2\na,1,\"\",x\n", CSVOptions{Format: "ss"}, []string{"line 2", "column v1", "empty value before the last"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCSV(tt.in, tt.o)
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want one line", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestParseCSV_OrderError names the line of a row out of order.
func TestParseCSV_OrderError(t *testing.T) {
	in := "key,ts,v1\na,1,1\na,2,1\nb,1,1\na,9,1\n"
	var check format.OrderCheck
	err := ParseCSV(strings.NewReader(in), CSVOptions{Format: "u"}, check.Check)
	if !errors.Is(err, format.ErrUnsorted) || !strings.Contains(err.Error(), "line 5") {
		t.Fatalf("err %v, want line 5 unsorted", err)
	}
}

// TestParseCSV_RoundTrip reads back what CSVFormatter writes, rows of
// every type and narrower rows included.
func TestParseCSV_RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	blocks := randomBlocks(r, "uiUIfFsB", 200)
	f := &CSVFormatter{Width: 8}
	out := f.AppendHeader(nil)
	for _, b := range blocks {
		out = f.AppendRows(out, b, 0, b.Len())
	}
	got, err := parseCSV(string(out), CSVOptions{Format: "uiUIfFsB"})
	if err != nil {
		t.Fatal(err)
	}
	if want := readText(blocks); got != want {
		t.Fatalf("round trip differs:\n%s\nwant\n%s", got, want)
	}
}

// randomBlocks draws sorted rows whose formats are prefixes of full,
// with keys and strings that need quoting and escaping.
func randomBlocks(r *rand.Rand, full format.Format, n int) []*format.Block {
	keys := []string{"a", "a b", "k,1", "q\"uote", "caf\u00e9", "tab\tnl\n"}
	var blocks []*format.Block
	for _, key := range keys {
		for i := range n / len(keys) {
			f := full[:1+r.IntN(full.Len())]
			b := &format.Block{}
			b.Reset([]byte(key), f)
			b.Times = append(b.Times, uint64(i)*1000+uint64(r.IntN(999)))
			for c := range f.Len() {
				switch code := f.Code(c); {
				case code.Variable():
					v := []string{"x", "y z", "\"q\"", "comma,", "line\nbreak", "\x00\x01"}[r.IntN(6)]
					if code == format.Str && c == f.Len()-1 && r.IntN(5) == 0 {
						v = ""
					}
					b.AppendBytes(c, []byte(v))
				case code.Float():
					b.Cols[c].Nums = append(b.Cols[c].Nums, randomFloatBits(r, code))
				default:
					num := r.Uint64()
					switch code {
					case format.U32:
						num &= 0xffffffff
					case format.I32:
						num = uint64(int64(int32(num)))
					}
					b.Cols[c].Nums = append(b.Cols[c].Nums, num)
				}
			}
			blocks = append(blocks, b)
		}
	}
	return blocks
}

func randomFloatBits(r *rand.Rand, c format.Code) uint64 {
	specials := []float64{0.1, -0.0, 1e21, 1e-7, 123456789}
	v := specials[r.IntN(len(specials))] * float64(r.IntN(3)-1)
	if c == format.F32 {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(v)
}

// FuzzParseCSV: any input gives rows or an error, never a panic; rows
// read print as CSV that reads back the same.
func FuzzParseCSV(f *testing.F) {
	f.Add("key,ts,time,v1,v2\na,1,x,1,2.5\nb,2,x,3,\n", "uF")
	f.Add("key,ts,v1\n\"k,\"\"1\",1,\"\"\n", "s")
	f.Add("symbol,date,price\nMSFT,2000-01-01,39.81\n", "F")
	f.Fuzz(func(t *testing.T, in, fm string) {
		f, err := format.ParseFormat(fm)
		if err != nil || f.Len() > 8 {
			return
		}
		var blocks []*format.Block
		if err := ParseCSV(strings.NewReader(in), CSVOptions{Format: f}, collect(&blocks)); err != nil {
			return
		}
		widest := f
		for _, b := range blocks {
			if b.Format.Len() > widest.Len() {
				widest = b.Format
			}
		}
		cf := &CSVFormatter{Width: widest.Len()}
		out := cf.AppendHeader(nil)
		for _, b := range blocks {
			out = cf.AppendRows(out, b, 0, b.Len())
		}
		again, err := parseCSV(string(out), CSVOptions{Format: widest})
		if err != nil {
			t.Fatalf("reading back %q: %v", out, err)
		}
		if want := readText(blocks); again != want {
			t.Fatalf("read back\n%s\nwant\n%s", again, want)
		}
	})
}
