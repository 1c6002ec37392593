package segment

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/wire"
)

// manyBlocks is n keys of one row each: n blocks, n/PageEntries pages.
func manyBlocks(n int) []*format.Block {
	var out []*format.Block
	for i := range n {
		out = append(out, makeBlock(fmt.Sprintf("k%07d", i), "u", uint64(i), 1, 1))
	}
	return out
}

func writeWith(t testing.TB, o Options, blocks []*format.Block) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, o)
	for _, b := range blocks {
		if err := w.WriteBlock(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSegment_Versions: a version 1 file (the legacy layout, which older
// databases hold) and a version 2 file of the same rows read the same,
// and version 1's included names carry zero IDs.
func TestSegment_Versions(t *testing.T) {
	blocks := append(manyBlocks(3*PageEntries+5), makeBlock("zz", "sB", 1, 300, 4))
	inc := []Included{{Name: "tx.0000000000000001"}, {Name: "tx.0000000000000002"}}
	var want []testRow
	for _, b := range blocks {
		want = append(want, rowsOf(b)...)
	}
	for _, v := range []int{1, 2} {
		t.Run(fmt.Sprint("version=", v), func(t *testing.T) {
			o := Options{Version: v, Included: inc}
			if v == 2 {
				o.Included = []Included{{inc[0].Name, ID{9}}, {inc[1].Name, ID{8}}}
			}
			data := writeWith(t, o, blocks)
			got, err := readSegment(data, "")
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("rows differ (%v)", err)
			}
			seg, err := Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if seg.Version() != v || !slices.Equal(seg.Included(), o.Included) || (v == 1) != seg.ID().IsZero() {
				t.Fatalf("version %d included %v id %v", seg.Version(), seg.Included(), seg.ID())
			}
		})
	}
}

// TestSegment_IndexAfterBlocks: in version 2 every index page lies after
// every block, so that one read of the file's tail holds the whole index.
func TestSegment_IndexAfterBlocks(t *testing.T) {
	data := writeWith(t, Options{}, manyBlocks(5*PageEntries+3))
	seg, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var blockEnd uint64
	c := seg.Seek(nil)
	for c.Next() {
		blockEnd = max(blockEnd, c.Entry().Off+c.Entry().Len)
	}
	if len(seg.pages) != 6 {
		t.Fatalf("%d pages, want 6", len(seg.pages))
	}
	for i, p := range seg.pages {
		if p.off < blockEnd || (i > 0 && p.off != seg.pages[i-1].off+seg.pages[i-1].n) {
			t.Fatalf("page %d at %d: blocks end at %d; pages must follow them back to back", i, p.off, blockEnd)
		}
	}
	rec := &recordingReader{r: bytes.NewReader(data)}
	seg, _ = Open(rec, int64(len(data)))
	seg.PrefetchIndex()
	if len(rec.prefetched) != 1 || rec.prefetched[0] != [2]int64{int64(seg.pages[0].off), int64(len(data)) - int64(seg.pages[0].off)} {
		t.Fatalf("prefetched %v, want the index region from %d", rec.prefetched, seg.pages[0].off)
	}
}

type recordingReader struct {
	r          *bytes.Reader
	prefetched [][2]int64
}

func (r *recordingReader) ReadAt(p []byte, off int64) (int, error) { return r.r.ReadAt(p, off) }
func (r *recordingReader) Prefetch(off, n int64) {
	r.prefetched = append(r.prefetched, [2]int64{off, n})
}

// memSpool is a Spool in memory that counts what went through it.
type memSpool struct{ bytes.Buffer }

func (s *memSpool) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(s.Bytes()).ReadAt(p, off)
}

// TestWriter_Spool: past spoolAfter bytes the index pages go to the spool
// and come back, in order, at Close.
func TestWriter_Spool(t *testing.T) {
	defer func(old int) { spoolAfter = old }(spoolAfter)
	spoolAfter = 1000
	blocks := manyBlocks(4 * PageEntries)
	var spool *memSpool
	o := Options{Spool: func() (Spool, error) { spool = &memSpool{}; return spool, nil }}
	data := writeWith(t, o, blocks)
	if spool == nil || spool.Len() < 1000 {
		t.Fatalf("the spool was not used")
	}
	plain := writeWith(t, Options{ID: NewWriter(&bytes.Buffer{}, Options{}).ID()}, blocks)
	got, err := readSegment(data, "")
	want, _ := readSegment(plain, "")
	if err != nil || !slices.Equal(got, want) || len(data) != len(plain) {
		t.Fatalf("spooled file differs from the plain one (%v)", err)
	}
	failing := Options{Spool: func() (Spool, error) { return nil, errors.New("disk full") }}
	w := NewWriter(&bytes.Buffer{}, failing)
	for _, b := range blocks {
		w.WriteBlock(b)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Close with a failing spool: %v", err)
	}
}

// TestWriter_RefusesBadBlocks: what the Reader would refuse never reaches
// the file; the Go API reports it instead of panicking.
func TestWriter_RefusesBadBlocks(t *testing.T) {
	u := func(vals ...uint64) []format.Column { return []format.Column{{Nums: vals}} }
	tests := []struct {
		name string
		b    format.Block
		want string
	}{
		{"no format", format.Block{Key: []byte("k"), Times: []uint64{1}, Cols: u(1)}, "empty format"},
		{"unknown code", format.Block{Key: []byte("k"), Format: "uq", Times: []uint64{1}, Cols: u(1)}, "unknown code"},
		{"nil columns", format.Block{Key: []byte("k"), Format: "u", Times: []uint64{1}}, "0 columns"},
		{"short column", format.Block{Key: []byte("k"), Format: "u", Times: []uint64{1, 2}, Cols: u(1)}, "1 values for 2 rows"},
		{"u too large", format.Block{Key: []byte("k"), Format: "u", Times: []uint64{1}, Cols: u(1 << 40)}, "does not fit"},
		{"i not sign-extended", format.Block{Key: []byte("k"), Format: "i", Times: []uint64{1}, Cols: u(1 << 31)}, "does not fit"},
		{"empty key", format.Block{Format: "u", Times: []uint64{1}, Cols: u(1)}, "key of 0 bytes"},
		{"ends past data", format.Block{Key: []byte("k"), Format: "s", Times: []uint64{1}, Cols: []format.Column{{Ends: []uint32{5}}}}, "outside"},
		{"empty string first", format.Block{Key: []byte("k"), Format: "su", Times: []uint64{1}, Cols: []format.Column{{Ends: []uint32{0}}, {Nums: []uint64{1}}}}, "only in the trailing"},
		{"empty string before a string", format.Block{Key: []byte("k"), Format: "ss", Times: []uint64{1}, Cols: []format.Column{{Ends: []uint32{0}}, {Ends: []uint32{1}, Data: []byte("x")}}}, "only in the trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(&bytes.Buffer{}, Options{})
			if err := w.WriteBlock(&tt.b); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	for _, ok := range []format.Block{
		{Key: []byte("k"), Format: "us", Times: []uint64{1}, Cols: []format.Column{{Nums: []uint64{1}}, {Ends: []uint32{0}}}},
		{Key: []byte("k"), Format: "uss", Times: []uint64{1}, Cols: []format.Column{{Nums: []uint64{1}}, {Ends: []uint32{0}}, {Ends: []uint32{0}}}},
	} {
		if err := NewWriter(&bytes.Buffer{}, Options{}).WriteBlock(&ok); err != nil {
			t.Fatalf("trailing empty s values: %v", err)
		}
	}
}

// fixCRCs recomputes, as far as the structure can be followed, every CRC
// of a segment: the fuzz target then reaches the decoders behind them
// instead of stopping at a checksum mismatch.
func fixCRCs(data []byte) {
	n := len(data)
	if n < headerSize+footerSize+8 {
		return
	}
	le := binary.LittleEndian
	le.PutUint32(data[12:], crc(data[:12]))
	f := data[n-footerSize:]
	le.PutUint32(f[60:], crc(f[:60]))
	topOff, topLen := le.Uint64(f[0:]), le.Uint64(f[8:])
	metaOff, metaLen := le.Uint64(f[16:]), le.Uint64(f[24:])
	fix := func(off, l uint64) []byte {
		if l < 4 || off > uint64(n) || l > uint64(n)-off {
			return nil
		}
		s := data[off : off+l]
		le.PutUint32(s[l-4:], crc(s[:l-4]))
		return s[:l-4]
	}
	fix(metaOff, metaLen)
	top := fix(topOff, topLen)
	if top == nil {
		return
	}
	d := wire.Reader{Buf: top}
	pages := d.Count(0, uint64(len(top)), "pages")
	for range pages {
		d.Bytes(format.MaxKeyLen)
		off, l := d.Uvarint(), d.Uvarint()
		d.Uvarint()
		if d.Err != nil {
			return
		}
		fixBlocks(data, fix(off, l), fix)
	}
}

// fixBlocks fixes the CRCs of the blocks an index page names.
func fixBlocks(data, page []byte, fix func(off, l uint64) []byte) {
	if page == nil {
		return
	}
	d := wire.Reader{Buf: page}
	entries := d.Count(0, PageEntries, "entries")
	for range entries {
		d.Uvarint()
		d.Bytes(format.MaxKeyLen)
		d.Bytes(format.MaxFormatLen)
		off, l := d.Uvarint(), d.Uvarint()
		d.Uvarint()
		d.Uvarint()
		d.Uvarint()
		if d.Err != nil {
			return
		}
		fix(off, l)
	}
}

// FuzzOpen reads arbitrary bytes as a segment, with their CRCs made right
// (fixCRCs) so that the layout and codec decoders behind them are fuzzed:
// any error must be ErrCorrupt or ErrVersion, and nothing may panic or
// allocate much.
func FuzzOpen(f *testing.F) {
	small, _ := smallSegment(f)
	f.Add(small)
	f.Add(small[:len(small)/2])
	f.Add(writeWith(f, Options{Version: 1}, manyBlocks(PageEntries+1)))
	f.Add(writeWith(f, Options{Kind: KindMarkers, Included: []Included{{"tx.a", ID{1}}},
		Markers: []format.Marker{{Filter: []byte("a%"), HasFilter: true}}}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		data = slices.Clone(data)
		fixCRCs(data)
		rows, err := readSegment(data, "")
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
			t.Fatalf("error %v is not ErrCorrupt", err)
		}
		if len(rows) > len(data)*MaxBlockRows {
			t.Fatalf("%d rows from %d bytes", len(rows), len(data))
		}
	})
}
