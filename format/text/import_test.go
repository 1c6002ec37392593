package text

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// parseResult is what a parse wrote, rendered as read prints it, and its
// error.
type parseResult struct {
	rows string
	err  string
}

func collectRun(t *testing.T, run func(write func(*format.Block) error) error) parseResult {
	t.Helper()
	var out []byte
	rf := RowFormatter{PrintFormat: true}
	err := run(func(b *format.Block) error {
		out = rf.AppendRows(out, b, 0, b.Len())
		return nil
	})
	r := parseResult{rows: string(out)}
	if err != nil {
		r.err = err.Error()
	}
	return r
}

// parseBoth parses input with Parse and ParseBytes and fails unless they
// agree; it returns Parse's result. They agree when both write the same
// rows, or both fail at the same line: the rows written before an error
// are rolled back, and they depend on where the chunks were cut, which for
// Parse depends on the reader; so does the wording of an over-long line's
// error. ParseBytes must release every byte, in order, when it succeeds.
func parseBoth(t *testing.T, input string, opts Options) parseResult {
	t.Helper()
	want := collectRun(t, func(w func(*format.Block) error) error {
		return Parse(strings.NewReader(input), opts, w)
	})
	released := 0
	got := collectRun(t, func(w func(*format.Block) error) error {
		return ParseBytes([]byte(input), opts, w, func(n int) {
			if n <= released || n > len(input) {
				t.Errorf("released %d after %d of %d bytes", n, released, len(input))
			}
			released = n
		})
	})
	if got != want && (got.err == "" || errLine(got.err) != errLine(want.err)) {
		t.Fatalf("ParseBytes gives\n%.500q\nParse gives\n%.500q", got, want)
	}
	if want.err == "" && released != len(input) {
		t.Errorf("released %d of %d bytes", released, len(input))
	}
	return want
}

// errLine is the "line N:" that starts a parse error, or the whole error.
func errLine(err string) string {
	if i := strings.Index(err, ":"); strings.HasPrefix(err, "line ") && i > 0 {
		return err[:i]
	}
	return err
}

// manyRows is n sorted rows of about 40 bytes, several chunks' worth for
// large n.
func manyRows(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "key%04d %d %d.5\n", i/1000, i, i)
	}
	return sb.String()
}

func TestParseBytes_AsParse(t *testing.T) {
	big := manyRows(100000) // 3.5 chunks
	lines := strings.SplitAfter(big, "\n")
	tests := []struct {
		name, input string
		maxLine     int
		wantErr     string
	}{
		{name: "empty", input: ""},
		{name: "blank lines", input: "\n\n  \n"},
		{name: "no final newline", input: "a 1 1.5\nb 2 2"},
		{name: "crlf", input: "a 1 1\r\na 2 2\r\n"},
		{name: "chunks", input: big},
		{name: "bad line in the third chunk", input: strings.Join(lines[:70000], "") + "k 1 x\n" + big, wantErr: "line 70001"},
		{name: "unsorted across chunks", input: big + "a 1 1\n", wantErr: "line 100001"},
		{name: "line over the limit", input: "a 1 1\nb 2 " + strings.Repeat("9", 300) + "\nc 3 3\n", maxLine: 100, wantErr: "line 2"},
		{name: "last line over the limit", input: "a 1 1\nb 2 " + strings.Repeat("9", 300), maxLine: 100, wantErr: "line 2"},
		{name: "line over a chunk", input: "a 1 1\nb 2 " + strings.Repeat("9", 3<<20) + "\nc 3 3\n", maxLine: 2 << 20, wantErr: "line 2"},
		{name: "line over a chunk within the limit", input: "a 1 1\nb 2 1" + strings.Repeat("0", 1<<20) + "\nc 3 3\n", maxLine: 4 << 20, wantErr: "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Format: "F", Limits: format.Limits{MaxLineLen: tt.maxLine}}
			r := parseBoth(t, tt.input, opts)
			if !strings.Contains(r.err, tt.wantErr) || (tt.wantErr == "") != (r.err == "") {
				t.Errorf("error %q, want one with %q", r.err, tt.wantErr)
			}
		})
	}
}

// A write error stops the parse; nothing past it is released.
func TestParseBytes_WriteError(t *testing.T) {
	input := manyRows(100000)
	released, writes := 0, 0
	err := ParseBytes([]byte(input), Options{Format: "F"}, func(*format.Block) error {
		if writes++; writes == 50 {
			return fmt.Errorf("disk full")
		}
		return nil
	}, func(n int) { released = n })
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v, want the write's", err)
	}
	if released >= len(input) {
		t.Errorf("released all %d bytes after a failed write", released)
	}
}

func FuzzParseBytes(f *testing.F) {
	f.Add([]byte("a 1 1.5\nb 2 2\n"), 20)
	f.Add([]byte("a 1 1\r\n\nb 2\n"), 5)
	f.Add([]byte("b 1 1\na 2 2"), 100)
	f.Fuzz(func(t *testing.T, input []byte, maxLine int) {
		if maxLine < 1 || maxLine > 1<<20 || bytes.ContainsAny(input, "\x00") {
			t.Skip()
		}
		parseBoth(t, string(input), Options{Format: "Fs", Limits: format.Limits{MaxLineLen: maxLine}})
	})
}

// benchRows is n rows of the reference data's shape (see
// internal/benchdata): keys sensor.NNNNN of 10,000 samples a second apart,
// values a random walk of code c, printed shortest for F.
func benchRows(c byte, n int) []byte {
	var b []byte
	x, u := 12.345678901234567, uint64(50000)
	for i := range n {
		b = append(b, fmt.Sprintf("sensor.%05d ", i/10000)...)
		b = strconv.AppendUint(b, 1577836800000000000+uint64(i%10000)*1e9, 10)
		b = append(b, ' ')
		if c == 'F' {
			x += float64(i%7)*0.37 - 1.1
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		} else {
			u += uint64(i % 5)
			b = strconv.AppendUint(b, u, 10)
		}
		b = append(b, '\n')
	}
	return b
}

// BenchmarkParseBytes is the parse side of add, on one worker.
func BenchmarkParseBytes(b *testing.B) {
	for _, c := range []byte{'F', 'u'} {
		b.Run("format="+string(c), func(b *testing.B) {
			input := benchRows(c, 200000)
			opts := Options{Format: format.Format([]byte{c}), Workers: 1}
			b.SetBytes(int64(len(input)))
			b.ReportAllocs()
			for b.Loop() {
				if err := ParseBytes(input, opts, func(*format.Block) error { return nil }, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*200000), "ns/row")
		})
	}
}

// BenchmarkParseBytes_Unsorted is the parse side of add --unsorted on a
// log: the rows of 1,000 keys ordered by time, on one worker.
func BenchmarkParseBytes_Unsorted(b *testing.B) {
	const keys, rows = 1000, 200000
	var input []byte
	for i := range rows {
		input = fmt.Appendf(input, "sensor.%05d %d %d\n", i%keys, 1577836800000000000+uint64(i/keys)*1e9, 50000+i%977)
	}
	opts := Options{Format: "u", Workers: 1, Unsorted: true}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseBytes(input, opts, func(*format.Block) error { return nil }, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

// TestParse_Unsorted hands on every row of unsorted input, gathered by
// key within a chunk, each key's rows in input order (so that the later of
// two equal rows still comes later), whatever the order of the keys.
func TestParse_Unsorted(t *testing.T) {
	var in strings.Builder
	var want []string
	for ts := range 3000 {
		for k := range 7 {
			key := fmt.Sprintf("k%d", (k*3)%7)
			if ts%100 == 0 && k == 2 {
				key = "k0" // a key out of its cycle now and then
			}
			line := fmt.Sprintf("%s %d u %d", key, ts%1000, ts*7+k)
			if ts%500 == 0 {
				line = fmt.Sprintf("%s %d uu %d 1", key, ts%1000, ts*7+k) // a format change within a key
			}
			in.WriteString(line + "\n")
			want = append(want, line)
		}
	}
	var blocks []*format.Block
	opts := Options{FormatPerLine: true, Unsorted: true, Workers: 2}
	if err := Parse(strings.NewReader(in.String()), opts, collect(&blocks)); err != nil {
		t.Fatal(err)
	}
	// Per key, the rows come in input order.
	perKey := map[string][]string{}
	for _, w := range want {
		k := strings.Fields(w)[0]
		perKey[k] = append(perKey[k], w)
	}
	got := map[string][]string{}
	rows := 0
	for _, b := range blocks {
		for i := range b.Len() {
			vals := fmt.Sprint(b.Cols[0].Nums[i])
			if b.Format.Len() == 2 {
				vals += " " + fmt.Sprint(b.Cols[1].Nums[i])
			}
			got[string(b.Key)] = append(got[string(b.Key)], fmt.Sprintf("%s %d %s %s", b.Key, b.Times[i], b.Format, vals))
			rows++
		}
	}
	if rows != len(want) {
		t.Fatalf("%d rows, want %d", rows, len(want))
	}
	for k, w := range perKey {
		if !slices.Equal(got[k], w) {
			t.Errorf("key %s: rows out of input order", k)
		}
	}
	// Sorted input is still refused out of order without Unsorted.
	opts.Unsorted = false
	err := Parse(bytes.NewReader([]byte("b 1 u 1\na 1 u 1\n")), opts, collect(&blocks))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("sorted parse of unsorted input: %v", err)
	}
}

// TestParse_FillsChunks: a reader that returns a few bytes at a time (a
// pipe returns 64 KiB at most) still gives chunks of chunkSize, so that
// unsorted input gathers each key's rows of a chunk into one block.
func TestParse_FillsChunks(t *testing.T) {
	var in strings.Builder
	const keys, rows = 10, 20000
	for ts := range rows {
		fmt.Fprintf(&in, "k%d %d %d\n", ts%keys, ts, ts)
	}
	if in.Len() > chunkSize {
		t.Fatalf("input of %d bytes: want one chunk", in.Len())
	}
	var blocks []*format.Block
	opts := Options{Format: "u", Unsorted: true, Workers: 2}
	r := &shortReader{r: strings.NewReader(in.String()), n: 4096}
	if err := Parse(r, opts, collect(&blocks)); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != keys {
		t.Fatalf("%d blocks from one chunk of %d keys' rows, want %d", len(blocks), keys, keys)
	}
}

// shortReader returns at most n bytes a read.
type shortReader struct {
	r io.Reader
	n int
}

func (s *shortReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }
