package tsdb

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

func TestOpen_BadLimits(t *testing.T) {
	db := newDB(t)
	for _, l := range []format.Limits{{MaxKeyLen: -1}, {MaxKeyLen: format.MaxKeyLen + 1}, {MaxValueLen: format.MaxValueLen + 1}, {MaxLineLen: format.MaxLineLenLimit + 1}} {
		if _, err := Open(db.Dir(), &Options{Limits: l}); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("Open with %+v: %v", l, err)
		}
	}
}

// TestAddText_Limits: input over a limit fails on its line, naming the
// limit, and commits nothing.
func TestAddText_Limits(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	tests := []struct {
		name   string
		limits format.Limits
		format format.Format
		input  string
		line   int
		want   string
	}{
		{"key", format.Limits{MaxKeyLen: 4}, "u", "abcd 1 1\nabcde 1 1\n", 2, `key "abcde" is 5 bytes long, the limit is 4`},
		{"escaped key", format.Limits{MaxKeyLen: 4}, "u", "ab\\ cd 1 1\n", 1, `key "ab cd" is 5 bytes long`},
		{"line", format.Limits{MaxLineLen: 12}, "u", "a 1 12345678\r\nb 1 1234567890\n", 2, "the line starting \"b 1 1234567890\" is 14 bytes long, the limit is 12"},
		{"line without end", format.Limits{MaxLineLen: 100}, "s", "a 1 x\nb 2 y\nc 3 " + huge, 3, "the line starting \"c 3 xxx"},
		{"long line then more", format.Limits{MaxLineLen: 100}, "s", "a 1 x\nc 3 " + huge + "\nd 1 1\n", 2, "is longer than the limit of 100 bytes"},
		{"default line", format.Limits{}, "s", "a 1 x\nb 1 " + strings.Repeat("y", format.MaxLineLen) + "\n", 2, "is 16777220 bytes long, the limit is 16777216"},
		{"string value", format.Limits{MaxValueLen: 8}, "us", "a 1 1 12345678\na 2 1 123456789\n", 2, `value "123456789" for column 2 (s) is 9 bytes long, the limit is 8`},
		{"bytes value", format.Limits{MaxValueLen: 2}, "B", "a 1 AQI=\na 2 AQID\n", 2, `for column 1 (B) is 3 bytes long, the limit is 2`},
		{"per-line format", format.Limits{MaxValueLen: 2}, "", "a 1 s xyz\n", 1, "is 3 bytes long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			before := listDir(t, db)
			opts := text.Options{Format: tt.format, FormatPerLine: tt.format == "", Limits: tt.limits}
			_, name, err := db.AddText(strings.NewReader(tt.input), opts)
			var le *text.LineError
			if !errors.As(err, &le) || le.Line != tt.line || !errors.Is(err, format.ErrLimit) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want line %d: %s", err, tt.line, tt.want)
			}
			if name != "" || !slices.Equal(listDir(t, db), before) {
				t.Fatalf("a refused input left %v", listDir(t, db))
			}
		})
	}
}

// TestAddText_LimitsOfTheDatabase: AddText takes the database's limits
// when the options give none; exactly the limit is accepted.
func TestAddText_LimitsOfTheDatabase(t *testing.T) {
	db := newDB(t)
	small, err := Open(db.Dir(), &Options{Limits: format.Limits{MaxKeyLen: 3, MaxLineLen: 9, MaxValueLen: 3}})
	must(t, err)
	if _, _, err := small.AddText(strings.NewReader("abc 1 xyz\r\n"), text.Options{Format: "s"}); err != nil {
		t.Fatalf("input at the limits: %v", err)
	}
	if _, _, err := small.AddText(strings.NewReader("abcd 1 x\n"), text.Options{Format: "s"}); !errors.Is(err, format.ErrLimit) {
		t.Fatalf("key over the limit: %v", err)
	}
}

// TestTx_Limits: the Go API is bound too: by Options.Limits in a data
// transaction, by the format's maxima in any, so that no committed file
// holds a value its readers refuse.
func TestTx_Limits(t *testing.T) {
	db := newDB(t)
	small, err := Open(db.Dir(), &Options{Limits: format.Limits{MaxKeyLen: 2, MaxValueLen: 4}})
	must(t, err)
	for _, b := range []*format.Block{sweepBlock("abc", "u", 1, 1), sweepBlock("ab", "us", 1, 10)} {
		tx, err := small.Begin()
		must(t, err)
		if err := tx.Write(b); !errors.Is(err, format.ErrLimit) {
			t.Fatalf("write %q: %v, want ErrLimit", b.Key, err)
		}
		if _, err := tx.Commit(); !errors.Is(err, format.ErrLimit) {
			t.Fatalf("commit after a refused write: %v", err)
		}
	}
	var b format.Block
	b.Reset([]byte("k"), "s")
	b.Times = append(b.Times, 1)
	b.AppendBytes(0, make([]byte, format.MaxValueLen+1))
	tx, err := db.begin(segment.Options{}, maxLimits()) // as compaction writes
	must(t, err)
	if err := tx.Write(&b); !errors.Is(err, format.ErrLimit) {
		t.Fatalf("value over the format's maximum: %v", err)
	}
	tx.Rollback()
	if names := listDir(t, db); !slices.Equal(names, []string{"main"}) {
		t.Fatalf("refused transactions left %v", names)
	}
}

func TestBegin_MinFree(t *testing.T) {
	_, m := newMemDB(t, memfs.Options{Free: 1 << 20})
	open := func(minFree int64) *DB { return openMem(t, m, Options{MinFree: minFree}) }
	_, _, err := open(0).AddText(strings.NewReader("a 1 1\n"), text.Options{Format: "u"})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "1048576 bytes free, 67108864 needed") {
		t.Fatalf("add below the default floor: %v", err)
	}
	if _, err := open(2 << 20).Begin(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("begin below a 2 MiB floor: %v", err)
	}
	if names := m.Names(); !slices.Equal(names, []string{"main"}) {
		t.Fatalf("refused adds left %v", names)
	}
	// Above the floor, with no floor, and deletes (which free space once
	// compacted) go through.
	for _, low := range []*DB{open(1 << 20), open(-1)} {
		if _, _, err := low.AddText(strings.NewReader("a 1 1\n"), text.Options{Format: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := open(0).Delete(format.Marker{Filter: []byte("a"), HasFilter: true}); err != nil {
		t.Fatal(err)
	}
}
