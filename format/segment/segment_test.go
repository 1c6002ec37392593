package segment

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// testRow is one row in a form that is easy to compare.
type testRow struct {
	key    string
	ts     uint64
	format format.Format
	vals   string // the values as printed by %v
}

func rowsOf(b *format.Block) []testRow {
	var rows []testRow
	for i := range b.Len() {
		var vals []string
		for col := range b.Cols {
			if b.Format.Code(col).Variable() {
				vals = append(vals, fmt.Sprintf("%q", b.Bytes(col, i)))
			} else {
				vals = append(vals, fmt.Sprint(b.Cols[col].Nums[i]))
			}
		}
		rows = append(rows, testRow{string(b.Key), b.Times[i], b.Format, fmt.Sprint(vals)})
	}
	return rows
}

// makeBlock builds a block of n rows with values derived from seed.
func makeBlock(key string, f format.Format, start uint64, n int, seed uint64) *format.Block {
	r := rand.New(rand.NewPCG(seed, 1))
	b := &format.Block{}
	b.Reset([]byte(key), f)
	ts := start
	for range n {
		b.Times = append(b.Times, ts)
		ts += 1 + r.Uint64N(3)
		for col := range b.Cols {
			switch c := f.Code(col); c {
			case format.Str, format.Bin:
				b.AppendBytes(col, bytes.Repeat([]byte{byte('a' + r.IntN(26))}, 1+r.IntN(20)))
			case format.U32:
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(r.Uint32()))
			case format.I32:
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(int64(int32(r.Uint32()))))
			case format.F32:
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(math.Float32bits(float32(r.NormFloat64()))))
			default:
				b.Cols[col].Nums = append(b.Cols[col].Nums, r.Uint64())
			}
		}
	}
	return b
}

// writeSegment writes blocks as a segment and returns the file and the
// rows written.
func writeSegment(t testing.TB, blocks ...*format.Block) ([]byte, []testRow) {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, Options{Included: []Included{{Name: "tx.0000000000000001", ID: ID{1}}}})
	var want []testRow
	for _, b := range blocks {
		if err := w.WriteBlock(b); err != nil {
			t.Fatal(err)
		}
		want = append(want, rowsOf(b)...)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), want
}

// readSegment reads every row of a segment from the key `from` on.
func readSegment(data []byte, from string) ([]testRow, error) {
	seg, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var rows []testRow
	var br BlockReader
	var b format.Block
	c := seg.Seek([]byte(from))
	for c.Next() {
		if err := br.Read(seg, c.Entry(), &b); err != nil {
			return rows, err
		}
		rows = append(rows, rowsOf(&b)...)
	}
	return rows, c.Err()
}

func TestSegment_RoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		blocks []*format.Block
	}{
		{"one row", []*format.Block{makeBlock("k", "u", 5, 1, 1)}},
		{"every code", []*format.Block{makeBlock("k", "uUiIfFsB", 0, 100, 2)}},
		{"format change within key", []*format.Block{makeBlock("k", "u", 0, 10, 3), makeBlock("k", "s", 100, 10, 4)}},
		{"many blocks", []*format.Block{makeBlock("big", "F", 0, 3*BlockRows+17, 5)}},
		{"many keys", manyKeys(3 * PageEntries)},
		{"max timestamp", []*format.Block{makeBlock("t", "U", math.MaxUint64, 1, 6)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, want := writeSegment(t, tt.blocks...)
			got, err := readSegment(data, "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("read %d rows, wrote %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func manyKeys(n int) []*format.Block {
	var bs []*format.Block
	for i := range n {
		bs = append(bs, makeBlock(fmt.Sprintf("key.%05d", i), "u", uint64(i), 1+i%3, uint64(i)))
	}
	return bs
}

func firstDiff(a, b []testRow) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestSegment_Seek(t *testing.T) {
	blocks := manyKeys(3 * PageEntries)
	data, all := writeSegment(t, blocks...)
	for _, from := range []string{"", "key.00000", "key.00255", "key.00256", "key.004", "key.00767", "key.9", "zzz"} {
		got, err := readSegment(data, from)
		if err != nil {
			t.Fatal(err)
		}
		var want []testRow
		for _, r := range all {
			if r.key >= from {
				want = append(want, r)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("seek %q: %d rows, want %d", from, len(got), len(want))
		}
	}
}

// TestCursor_Reset repositions a cursor whose first entry was never read:
// Next must give the first entry from the new key, not a stale one.
func TestCursor_Reset(t *testing.T) {
	data, _ := writeSegment(t, manyKeys(3*PageEntries)...)
	seg, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	c := seg.Seek([]byte("key.00300"))
	for _, to := range []string{"", "key.00100", "key.00700", "key.00001"} {
		c.Reset([]byte(to))
		want := "key.00000"
		if to != "" {
			want = to
		}
		if !c.Next() || string(c.Entry().Key) != want {
			t.Fatalf("Reset(%q), Next: %v, key %q, want %q (%v)", to, c.Err() == nil, c.Entry().Key, want, c.Err())
		}
	}
}

func TestSegment_Meta(t *testing.T) {
	var buf bytes.Buffer
	m := format.Marker{Filter: []byte("a%"), HasFilter: true, Bounds: format.Bounds{AfterTime: 5, HasAfterTime: true, BeforeKey: []byte("z"), HasBeforeKey: true}}
	inc := []Included{{"tx.a", ID{1, 2}}, {"tx.b", ID{3}}}
	id := NewID()
	w := NewWriter(&buf, Options{Kind: KindMarkers, ID: id, Generation: 7, HighWater: 9, Included: inc, Markers: []format.Marker{m}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seg, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if seg.Kind() != KindMarkers || !slices.Equal(seg.Included(), inc) || seg.ID() != id || w.ID() != id ||
		seg.Generation() != 7 || seg.HighWater() != 9 || seg.Version() != Version {
		t.Fatalf("kind %v included %v id %v generation %d high water %d version %d", seg.Kind(), seg.Included(), seg.ID(), seg.Generation(), seg.HighWater(), seg.Version())
	}
	got := seg.Markers()
	if len(got) != 1 || string(got[0].Filter) != "a%" || !got[0].HasAfterTime || got[0].AfterTime != 5 ||
		got[0].HasBeforeTime || string(got[0].BeforeKey) != "z" {
		t.Fatalf("markers %+v", got)
	}
}

func TestSegment_Empty(t *testing.T) {
	seg, err := Open(bytes.NewReader(nil), 0)
	if err != nil {
		t.Fatal(err)
	}
	if seg.Seek(nil).Next() || seg.Kind() != KindData {
		t.Fatal("empty file has entries")
	}
}

func TestWriter_Order(t *testing.T) {
	tests := []struct {
		name   string
		blocks []*format.Block
	}{
		{"key goes back", []*format.Block{makeBlock("b", "u", 0, 1, 1), makeBlock("a", "u", 0, 1, 1)}},
		{"time repeats", []*format.Block{makeBlock("a", "u", 5, 1, 1), makeBlock("a", "u", 5, 1, 1)}},
		{"time goes back in a block", []*format.Block{{Key: []byte("a"), Format: "u", Times: []uint64{2, 1}, Cols: []format.Column{{Nums: []uint64{1, 1}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(&bytes.Buffer{}, Options{})
			var err error
			for _, b := range tt.blocks {
				if err = w.WriteBlock(b); err != nil {
					break
				}
			}
			if !errors.Is(err, ErrOrder) {
				t.Fatalf("err = %v, want ErrOrder", err)
			}
		})
	}
}

// smallSegment is a file with two keys, strings and a compressed block.
func smallSegment(t testing.TB) ([]byte, []testRow) {
	return writeSegment(t, makeBlock("a", "us", 1, 40, 1), makeBlock("b", "F", 7, 3, 2))
}

// TestSegment_Corruption flips every byte and truncates at every length: a
// damaged file must give ErrCorrupt or ErrVersion, never wrong rows.
func TestSegment_Corruption(t *testing.T) {
	data, want := smallSegment(t)
	check := func(t *testing.T, what string, bad []byte) {
		got, err := readSegment(bad, "")
		if err == nil {
			if !slices.Equal(got, want) {
				t.Fatalf("%s: read wrong rows without error", what)
			}
			t.Fatalf("%s: no error", what)
		}
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
			t.Fatalf("%s: error %v is not ErrCorrupt", what, err)
		}
	}
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := slices.Clone(data)
			bad[i] ^= mask
			check(t, fmt.Sprintf("byte %d ^ %#x", i, mask), bad)
		}
	}
	for n := 1; n < len(data); n++ {
		check(t, fmt.Sprintf("truncated to %d", n), data[:n])
	}
	check(t, "garbage appended", append(slices.Clone(data), 1, 2, 3))
}
