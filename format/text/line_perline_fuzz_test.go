package text

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// parseFormattedLine parses a line that carries its own format, as compact
// --gegnum output and serve PUT bodies do.
func parseFormattedLine(line []byte) (*format.Block, error) {
	var p LineParser
	key, rest, err := p.Key(line)
	if err != nil || key == nil {
		return nil, err
	}
	ts, f, values, err := p.TimeAndFormat(rest)
	if err != nil {
		return nil, err
	}
	b := new(format.Block)
	b.Reset(key, f)
	if err := p.AppendValues(b, ts, values); err != nil {
		if b.Len() != 0 {
			return nil, errLeftRows
		}
		return nil, err
	}
	return b, nil
}

var errLeftRows = errors.New("a failed line left rows in the block")

// FuzzFormattedLine parses arbitrary lines `KEY TIMESTAMP FORMAT VALUE...`
// (TimeAndFormat, AppendValues): no panic, a failed line leaves the block
// empty, and a parsed row prints (read --timestamp-nanos --print-format)
// as a line that parses back to the same row and prints the same again.
func FuzzFormattedLine(f *testing.F) {
	for _, s := range []string{
		"k 5 u 7", "k\t5\tuF\t7 1.5", `my\ key 1 s hello\ x`, "k 5 ss x", "k 5 ss", "k 5", "k", "k 5 q 1",
		"k 5 u", "k 5 u 1 2", "k x u 1", `k 1 iIuUfFsB -1 -2 3 4 nan -inf x\ y AQID`, "k 1 B aGVsbA",
		`t 1 s tab\there\\`, "k 18446744073709551615 U 18446744073709551615", "k 1 i -2147483649",
		"k 1 " + strings.Repeat("u", format.MaxFormatLen+1) + " 1", "k 1 f 1e39", "k\r\n", "  k  1  u  1  \r\n", `k 1 u\`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		b, err := parseFormattedLine(line)
		if err == errLeftRows {
			t.Fatalf("%q: %v", line, err)
		}
		if err != nil || b == nil {
			return
		}
		if b.Len() != 1 {
			t.Fatalf("%q parsed as %d rows", line, b.Len())
		}
		out := readLine(b, true, nil)
		b2, err := parseFormattedLine([]byte(out))
		if err != nil || b2 == nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", line, out, err)
		}
		if !bytes.Equal(b2.Key, b.Key) || b2.Times[0] != b.Times[0] || b2.Format != b.Format {
			t.Fatalf("%q printed as %q, which parses to key %q time %d format %q", line, out, b2.Key, b2.Times[0], b2.Format)
		}
		for col := range b.Format.Len() {
			c := b.Format.Code(col)
			// Floats print with 17 digits after the point: tiny ones
			// round, so only their printing must be stable.
			if !c.Float() && !c.Variable() && b2.Cols[col].Nums[0] != b.Cols[col].Nums[0] ||
				c.Variable() && !bytes.Equal(b2.Bytes(col, 0), b.Bytes(col, 0)) {
				t.Fatalf("%q printed as %q, which parses to another column %d", line, out, col+1)
			}
		}
		if again := readLine(b2, true, nil); again != out {
			t.Fatalf("%q printed as %q, then as %q", line, out, again)
		}
	})
}
