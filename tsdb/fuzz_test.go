package tsdb

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

// FuzzAddText adds arbitrary bytes as text input, in a given format (or,
// for the empty format, with a format on every line): no panic, and either
// an error on one line with nothing committed, or a committed transaction
// that reads back exactly the rows of the input.
func FuzzAddText(f *testing.F) {
	for _, s := range []struct{ format, input string }{
		{"u", "a 1 1\nb 2 2\n"}, {"us", "a 1 1 x\na 2 2\r\n\n"}, {"F", "k 1 nan\nk 2 -inf\nk 3 1e300\n"},
		{"u", "b 1 1\na 1 1\n"}, {"u", "a 2 1\na 2 1\n"}, {"B", "k 1 AQID\nk 2 AQ\n"}, {"iI", "k 1 -1 -2\n"},
		{"", "k 1 u 5\nk 2 s x\nl 0 uF 1 2.5\n"}, {"ss", "k 1\nk 2 x\nk 3 x y\n"}, {"u", `a\ b 1 1` + "\nc 1 1\\"},
		{"", "k 1 s\nk 2 q 1\n"}, {"u", ""}, {"u", "\n\n \t\n"}, {"U", "k 18446744073709551615 18446744073709551615\n"},
	} {
		f.Add(s.format, []byte(s.input))
	}
	db := newDB(f)
	f.Fuzz(func(t *testing.T, fs string, input []byte) {
		fm, err := format.ParseFormat(fs)
		if err != nil && fs != "" {
			return
		}
		opts := text.Options{Format: fm, FormatPerLine: fs == "", Workers: 2}
		rows, name, err := db.AddText(bytes.NewReader(input), opts)
		if err != nil {
			if files := dataFiles(t, db); name != "" || rows != 0 || !slices.Equal(files, []string{"main"}) {
				t.Fatalf("failed add (%v) left %v", err, files)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		want, wantRows := referenceRows(t, input, opts)
		if rows != wantRows {
			t.Fatalf("added %d rows, the input has %d", rows, wantRows)
		}
		got, err := readAll(db, false)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("read back\n%s\nwant\n%s", got, want)
		}
		if name != "" {
			must(t, os.Remove(filepath.Join(db.Dir(), name)))
		}
	})
}

// referenceRows parses input line by line, on one goroutine, with no
// order checks: what a successful add of input must read back.
func referenceRows(t *testing.T, input []byte, opts text.Options) (string, uint64) {
	t.Helper()
	p := text.LineParser{Format: opts.Format}
	var out []byte
	var n uint64
	for _, line := range bytes.Split(input, []byte("\n")) {
		key, rest, err := p.Key(line)
		if err != nil {
			t.Fatalf("add accepted line %q: %v", line, err)
		}
		if key == nil {
			continue
		}
		var b format.Block
		if opts.FormatPerLine {
			ts, f, values, err := p.TimeAndFormat(rest)
			if err == nil {
				b.Reset(key, f)
				err = p.AppendValues(&b, ts, values)
			}
			if err != nil {
				t.Fatalf("add accepted line %q: %v", line, err)
			}
		} else {
			b.Reset(key, opts.Format)
			if err := p.AppendRow(&b, rest); err != nil {
				t.Fatalf("add accepted line %q: %v", line, err)
			}
		}
		out = appendRows(out, &b, 0, 1)
		n++
	}
	return string(out), n
}
