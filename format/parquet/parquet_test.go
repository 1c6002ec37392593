package parquet

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// row is one test row: key, time, format and values as chime's bits (or
// bytes for s and B).
type row struct {
	key  string
	ts   uint64
	f    format.Format
	nums []uint64
	strs []string
}

// block builds a one-row block.
func (r row) block() *format.Block {
	b := &format.Block{}
	b.Reset([]byte(r.key), r.f)
	b.Times = append(b.Times, r.ts)
	ni, si := 0, 0
	for c := range r.f.Len() {
		if r.f.Code(c).Variable() {
			b.AppendBytes(c, []byte(r.strs[si]))
			si++
		} else {
			b.Cols[c].Nums = append(b.Cols[c].Nums, r.nums[ni])
			ni++
		}
	}
	return b
}

// rowsOf flattens blocks into rows.
func rowsOf(blocks []*format.Block) []row {
	var out []row
	for _, b := range blocks {
		for i := range b.Len() {
			r := row{key: string(b.Key), ts: b.Times[i], f: b.Format}
			for c := range b.Format.Len() {
				if b.Format.Code(c).Variable() {
					r.strs = append(r.strs, string(b.Bytes(c, i)))
				} else {
					r.nums = append(r.nums, b.Cols[c].Nums[i])
				}
			}
			out = append(out, r)
		}
	}
	return out
}

// export writes rows to a Parquet file with the schema their formats give.
func export(t *testing.T, rows []row, o *WriterOptions) []byte {
	t.Helper()
	var uses []FormatUse
	for _, r := range rows {
		uses = append(uses, FormatUse{Format: r.f, Key: []byte(r.key)})
	}
	s, err := PlanSchema(uses, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, s, o)
	for _, r := range rows {
		if err := w.WriteRows(r.block(), 0, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importAll reads a file back.
func importAll(data []byte, o *ReaderOptions) ([]row, error) {
	var blocks []*format.Block
	err := Read(bytes.NewReader(data), int64(len(data)), o, func(b *format.Block) error {
		c := &format.Block{}
		c.Reset(b.Key, b.Format)
		c.AppendRows(b, 0, b.Len())
		blocks = append(blocks, c)
		return nil
	})
	return rowsOf(blocks), err
}

func f32(v float32) uint64 { return uint64(math.Float32bits(v)) }
func f64(v float64) uint64 { return math.Float64bits(v) }
func i64(v int64) uint64   { return uint64(v) }

// TestRoundTrip_Types writes every type, multi-column rows, narrower rows
// (nulls), keys with spaces and non-ASCII bytes, and reads them back
// exactly.
func TestRoundTrip_Types(t *testing.T) {
	tests := []struct {
		name string
		rows []row
	}{
		{"u", []row{{"a", 1, "u", []uint64{0}, nil}, {"a", 2, "u", []uint64{math.MaxUint32}, nil}}},
		{"U", []row{{"a", 1, "U", []uint64{math.MaxUint64}, nil}, {"b", 2, "U", []uint64{0}, nil}}},
		{"i", []row{{"a", 1, "i", []uint64{i64(math.MinInt32)}, nil}, {"a", 3, "i", []uint64{i64(math.MaxInt32)}, nil}}},
		{"I", []row{{"a", 1, "I", []uint64{i64(math.MinInt64)}, nil}, {"a", 3, "I", []uint64{i64(-1)}, nil}}},
		{"f", []row{{"a", 1, "f", []uint64{f32(0.1)}, nil}, {"a", 2, "f", []uint64{f32(float32(math.Inf(-1)))}, nil}, {"a", 3, "f", []uint64{f32(float32(math.NaN()))}, nil}}},
		{"F", []row{{"a", 1, "F", []uint64{f64(0.1)}, nil}, {"a", 2, "F", []uint64{f64(math.Copysign(0, -1))}, nil}}},
		{"s", []row{{"a", 1, "s", nil, []string{"hello world"}}, {"a", 2, "s", nil, []string{""}}, {"b", 2, "s", nil, []string{"\x00é"}}}},
		{"B", []row{{"a", 1, "B", nil, []string{"\x00\x01"}}, {"a", 2, "B", nil, []string{""}}}},
		{"multi", []row{{"k", 1, "uisFB", []uint64{7, i64(-7), f64(2.5)}, []string{"x y", "\x80"}}}},
		{"narrower rows", []row{{"a", 1, "uu", []uint64{1, 2}, nil}, {"a", 2, "u", []uint64{3}, nil}, {"b", 1, "uuu", []uint64{4, 5, 6}, nil}}},
		{"keys", []row{{"a b", 1, "u", []uint64{1}, nil}, {"caf\xc3\xa9", 1, "u", []uint64{2}, nil}, {"\xe6\x97\xa5", 1, "u", []uint64{3}, nil}}},
		{"large times", []row{{"a", 0, "u", []uint64{1}, nil}, {"a", math.MaxInt64, "u", []uint64{2}, nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := importAll(export(t, tt.rows, nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, got, tt.rows)
		})
	}
}

func checkRows(t *testing.T, got, want []row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.key != w.key || g.ts != w.ts || g.f != w.f || !slices.Equal(g.nums, w.nums) || !slices.Equal(g.strs, w.strs) {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestRoundTrip_RowGroups writes a file of several row groups, keys
// crossing their boundaries.
func TestRoundTrip_RowGroups(t *testing.T) {
	var rows []row
	for k := range 7 {
		for i := range 1000 {
			rows = append(rows, row{string(rune('a' + k)), uint64(i * 10), "uF", []uint64{uint64(i), f64(float64(k) + 0.5)}, nil})
		}
	}
	data := export(t, rows, &WriterOptions{RowGroupRows: 999})
	got, err := importAll(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, got, rows)
}

// TestRoundTrip_Empty writes and reads a file without rows.
func TestRoundTrip_Empty(t *testing.T) {
	data := export(t, nil, nil)
	if got, err := importAll(data, nil); err != nil || len(got) != 0 {
		t.Fatalf("empty file: %v, %v", got, err)
	}
	// A file with rows and no value column is an error.
	rows := []row{{"a", 1, "u", []uint64{1}, nil}}
	_, err := importAll(export(t, rows, nil), &ReaderOptions{ValueColumns: []string{}})
	if err == nil || !strings.Contains(err.Error(), "no value columns") {
		t.Fatalf("rows without value columns: %v", err)
	}
}

// TestWiden checks the widening table and that it never depends on order.
func TestWiden(t *testing.T) {
	tests := []struct {
		a, b format.Code
		want format.Code
		ok   bool
	}{
		{'u', 'U', 'U', true}, {'i', 'I', 'I', true}, {'u', 'i', 'I', true}, {'u', 'I', 'I', true},
		{'f', 'F', 'F', true}, {'f', 'u', 'F', true}, {'F', 'i', 'F', true},
		{'s', 'B', 'B', true}, {'f', 'f', 'f', true},
		{'U', 'i', 0, false}, {'U', 'I', 0, false}, {'I', 'F', 0, false}, {'U', 'f', 0, false}, {'u', 's', 0, false}, {'B', 'F', 0, false},
	}
	for _, tt := range tests {
		for _, pair := range [][2]format.Code{{tt.a, tt.b}, {tt.b, tt.a}} {
			got, ok := Widen(pair[0], pair[1])
			if got != tt.want || ok != tt.ok {
				t.Errorf("Widen(%c, %c) = %c, %v; want %c, %v", pair[0], pair[1], got, ok, tt.want, tt.ok)
			}
		}
	}
	codes := []format.Code("uUiIfFsB")
	for _, a := range codes {
		for _, b := range codes {
			for _, c := range codes {
				want, wok := Widen(a, b, c)
				for _, p := range [][3]format.Code{{a, c, b}, {b, a, c}, {b, c, a}, {c, a, b}, {c, b, a}} {
					if got, ok := Widen(p[0], p[1], p[2]); got != want || ok != wok {
						t.Errorf("Widen(%c %c %c) = %c,%v but Widen(%c %c %c) = %c,%v", a, b, c, want, wok, p[0], p[1], p[2], got, ok)
					}
				}
				// The result holds each code: widening it with any of them changes nothing.
				if wok {
					for _, x := range []format.Code{a, b, c} {
						if got, ok := Widen(want, x); !ok || got != want {
							t.Errorf("Widen(%c, %c) = %c, %v; want %c", want, x, got, ok, want)
						}
					}
				}
			}
		}
	}
	if got, ok := Widen('u', 'i', 'f'); !ok || got != 'F' {
		t.Errorf("Widen(u i f) = %c, %v; want F", got, ok)
	}
}

// TestRoundTrip_Widened reads widened columns back as the wider type,
// with every value exact.
func TestRoundTrip_Widened(t *testing.T) {
	rows := []row{
		{"a", 1, "uf", []uint64{math.MaxUint32, f32(0.1)}, nil},
		{"b", 1, "IF", []uint64{i64(-5), f64(0.1)}, nil},
		{"c", 1, "ii", []uint64{i64(-7), i64(math.MinInt32)}, nil},
		{"d", 1, "IFs", []uint64{0, 0}, []string{"\xff"}},
		{"e", 1, "IFB", []uint64{0, 0}, []string{"\xfe"}},
	}
	want := []row{
		{"a", 1, "IF", []uint64{math.MaxUint32, f64(float64(float32(0.1)))}, nil},
		{"b", 1, "IF", []uint64{i64(-5), f64(0.1)}, nil},
		{"c", 1, "IF", []uint64{i64(-7), f64(math.MinInt32)}, nil},
		{"d", 1, "IFB", []uint64{0, 0}, []string{"\xff"}},
		{"e", 1, "IFB", []uint64{0, 0}, []string{"\xfe"}},
	}
	got, err := importAll(export(t, rows, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, got, want)
}

// TestPlanSchema_Mixed names the keys and formats that cannot share a
// column, and -C leaves it out.
func TestPlanSchema_Mixed(t *testing.T) {
	uses := []FormatUse{{"Uu", []byte("big")}, {"iu", []byte("neg")}}
	_, err := PlanSchema(uses, nil)
	if !errors.Is(err, ErrMixedTypes) || !strings.Contains(err.Error(), `"big"`) || !strings.Contains(err.Error(), `"neg"`) || !strings.Contains(err.Error(), "v1") {
		t.Fatalf("PlanSchema: %v", err)
	}
	s, err := PlanSchema(uses, func(col int) bool { return col == 1 })
	if err != nil || len(s.Columns) != 1 || s.Columns[0].Name() != "v2" || s.Columns[0].Code != 'u' {
		t.Fatalf("PlanSchema(-C 2) = %+v, %v", s, err)
	}
}

// TestWriter_TimeRange refuses a timestamp beyond INT64 nanoseconds.
func TestWriter_TimeRange(t *testing.T) {
	s, _ := PlanSchema([]FormatUse{{"u", []byte("a")}}, nil)
	w := NewWriter(&bytes.Buffer{}, s, nil)
	err := w.WriteRows(row{"a", math.MaxInt64 + 1, "u", []uint64{1}, nil}.block(), 0, 1)
	if err == nil || !strings.Contains(err.Error(), "2262") {
		t.Fatalf("WriteRows: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed write succeeded")
	}
}

// TestWriter_UTF8 refuses keys and s values that are not UTF-8, naming
// them: Parquet's strings are UTF-8.
func TestWriter_UTF8(t *testing.T) {
	for _, r := range []row{{"\xff", 1, "u", []uint64{1}, nil}, {"k", 1, "s", nil, []string{"a\xffb"}}} {
		s, _ := PlanSchema([]FormatUse{{r.f, []byte(r.key)}}, nil)
		w := NewWriter(&bytes.Buffer{}, s, nil)
		err := w.WriteRows(r.block(), 0, 1)
		if err == nil || !strings.Contains(err.Error(), "not UTF-8") {
			t.Errorf("%+v: %v", r, err)
		}
		w.Close()
	}
}

// TestRead_BadFiles gives one clear error for files chime cannot read.
func TestRead_BadFiles(t *testing.T) {
	good := export(t, []row{{"a", 1, "u", []uint64{1}, nil}, {"a", 2, "u", []uint64{2}, nil}}, nil)
	tests := []struct {
		name string
		data []byte
		o    *ReaderOptions
		want string
	}{
		{"empty", nil, nil, "parquet input"},
		{"text", []byte("key,ts\na,1\n"), nil, "parquet input"},
		{"truncated", good[:len(good)-10], nil, "parquet input"},
		{"no footer", good[:len(good)/2], nil, "parquet input"},
		{"missing key column", good, &ReaderOptions{KeyColumn: "name"}, `no key column "name"`},
		{"missing time column", good, &ReaderOptions{TimeColumn: "when"}, `no time column "when"`},
		{"missing value column", good, &ReaderOptions{ValueColumns: []string{"v9"}}, `no value column "v9"`},
		{"key not a string", good, &ReaderOptions{KeyColumn: "v1", ValueColumns: []string{"v1"}}, "not a string"},
		{"value is the key", good, &ReaderOptions{ValueColumns: []string{"key"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importAll(tt.data, tt.o)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Read: %v, want one line with %q", err, tt.want)
			}
		})
	}
}

// TestRead_Nulls: trailing nulls make narrower rows; a hole or no value
// at all is an error naming the row.
func TestRead_Nulls(t *testing.T) {
	data := export(t, []row{
		{"a", 1, "uu", []uint64{1, 2}, nil},
		{"a", 2, "u", []uint64{3}, nil},
	}, nil)
	got, err := importAll(data, &ReaderOptions{ValueColumns: []string{"v2", "v1"}})
	if err == nil || !strings.Contains(err.Error(), "row group 0, row 1") || !strings.Contains(err.Error(), "null before a value") {
		t.Fatalf("hole: %v, %v", got, err)
	}
	_, err = importAll(data, &ReaderOptions{ValueColumns: []string{"v2"}})
	if err == nil || !strings.Contains(err.Error(), "row group 0, row 1") || !strings.Contains(err.Error(), "every value is null") {
		t.Fatalf("no value: %v", err)
	}
}

// TestRead_OrderError gives an order error from write the row's place.
func TestRead_OrderError(t *testing.T) {
	data := export(t, []row{{"a", 1, "u", []uint64{1}, nil}, {"a", 2, "u", []uint64{2}, nil}, {"b", 1, "u", []uint64{3}, nil}}, nil)
	var check format.OrderCheck
	seen := 0
	err := Read(bytes.NewReader(data), int64(len(data)), nil, func(b *format.Block) error {
		seen++
		if seen == 2 {
			b.Times[0] = 0 // pretend b's first row came before a's
			b.Key = []byte("a")
		}
		return check.Check(b)
	})
	if err == nil || !strings.Contains(err.Error(), "row group 0, row 2") || !errors.Is(err, format.ErrUnsorted) {
		t.Fatalf("Read: %v", err)
	}
}
