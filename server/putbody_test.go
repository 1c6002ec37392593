package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

// renderBatch writes a batch's blocks back as a PUT body, one line per
// row (KEY<TAB>NANOS<TAB>FORMAT<TAB>VALUES: read --print-format output
// with nanoseconds is a valid body).
func renderBatch(t testing.TB, b *batch) (string, error) {
	t.Helper()
	var out []byte
	rf := &text.RowFormatter{PrintFormat: true}
	var last []byte
	var lastTS uint64
	err := b.writeBlocks(func(blk *format.Block) error {
		for i := range blk.Len() {
			if c := bytes.Compare(last, blk.Key); out != nil && (c > 0 || c == 0 && blk.Times[i] <= lastTS) {
				return fmt.Errorf("row %q %d after %q %d", blk.Key, blk.Times[i], last, lastTS)
			}
			last, lastTS = append(last[:0], blk.Key...), blk.Times[i]
		}
		out = rf.AppendRows(out, blk, 0, blk.Len())
		return nil
	})
	return string(out), err
}

func TestParseBody_SortsAndGroups(t *testing.T) {
	b, err := parseBody(strings.NewReader("b 2 u 2\na 9 s x\nb 1 F 1.5\na 3 s y\n"), bodyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	b.writeBlocks(func(blk *format.Block) error {
		blocks = append(blocks, fmt.Sprintf("%s/%s/%d", blk.Key, blk.Format, blk.Len()))
		return nil
	})
	if got, want := strings.Join(blocks, " "), "a/s/2 b/F/1 b/u/1"; got != want {
		t.Errorf("blocks %s, want %s", got, want)
	}
}

func TestParseBody_LineLimit(t *testing.T) {
	_, err := parseBody(strings.NewReader("a 1 u 1\na 2 s "+strings.Repeat("x", 100)+"\n"), bodyOptions{MaxLine: 64})
	if statusOf(err) != http.StatusRequestEntityTooLarge || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err %v (status %d), want 413 naming line 2", err, statusOf(err))
	}
}

func TestParseBody_FirstRepeat(t *testing.T) {
	// The repeat reported is the one whose second line comes first.
	b, err := parseBody(strings.NewReader("k 1 u 1\nz 5 u 1\nk 1 u 2\nz 5 u 3\nk 1 u 4\n"), bodyOptions{})
	if err == nil {
		err = b.writeBlocks(func(*format.Block) error { return nil })
	}
	if err == nil || !strings.Contains(err.Error(), "line 3:") || !strings.Contains(err.Error(), "repeats line 1") {
		t.Errorf("err %v, want line 3 repeating line 1", err)
	}
}

func FuzzPutBody(f *testing.F) {
	for _, seed := range []string{
		fibRows,
		"k 3 s three\r\n\n  k\t1\tu  1\nk 2 uF 2 2.5\nb\\ key 5 B aGk=\nk 4 us 4\n",
		"a 1 u 1\na 1 u 2\n",
		"a 1 fF nan -inf\nb 18446744073709551615 iI -1 -9223372036854775808\n",
		"a\\\\b\\t 1 ss \\ \\n\n",
		"x 1 B\ny 2 s\n",
		"z 1 U 1\nz 1\nz\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := parseBody(bytes.NewReader(body), bodyOptions{MaxLine: 1 << 12})
		if err != nil {
			if strings.Contains(err.Error(), "\n") || statusOf(err)/100 != 4 {
				t.Fatalf("error %q (status %d): want a one-line 4xx", err, statusOf(err))
			}
			return
		}
		defer b.Close()
		// What a body parses to, rendered and parsed again, renders the
		// same: no row is lost, reordered or altered on the way.
		text, err := renderBatch(t, b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || statusOf(err)/100 != 4 {
				t.Fatalf("error %q (status %d): want a one-line 4xx", err, statusOf(err))
			}
			return
		}
		if got := strings.Count(text, "\n"); got != b.rows {
			t.Fatalf("%d rows rendered, %d parsed", got, b.rows)
		}
		b2, err := parseBody(strings.NewReader(text), bodyOptions{})
		if err != nil {
			t.Fatalf("rendered body %q: %v", text, err)
		}
		defer b2.Close()
		if again, err := renderBatch(t, b2); err != nil || again != text {
			t.Fatalf("render(parse(render)) differs:\n%q\n%q", text, again)
		}
	})
}
