package text

import (
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/decimal"
)

func TestLineParser_TimeAndFormat(t *testing.T) {
	tests := []struct {
		line, want, err string
	}{
		{"k 5 u 7", "k 5 u [7]", ""},
		{"k\t5\tuF\t7 1.5", "k 5 uF [7 4609434218613702656]", ""},
		{"my\\ key 1 s hello\\ x", "my key 1 s [hello x]", ""},
		{"k 5 ss x", "k 5 ss [x ]", ""},
		{"k 5", "", "missing format"},
		{"k", "", "missing timestamp"},
		{"k 5 q 1", "", "unknown code"},
		{"k 5 u", "", "0 values"},
		{"k 5 u 1 2", "", "2 values"},
		{"k x u 1", "", `timestamp "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var p LineParser
			key, rest, err := p.Key([]byte(tt.line))
			var ts uint64
			var f format.Format
			if err == nil {
				ts, f, rest, err = p.TimeAndFormat(rest)
			}
			var b format.Block
			if err == nil {
				b.Reset(key, f)
				err = p.AppendValues(&b, ts, rest)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if b.Len() != 0 {
					t.Fatalf("failed line left %d rows", b.Len())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var vals []string
			for col := range b.Cols {
				if f.Code(col).Variable() {
					vals = append(vals, string(b.Bytes(col, 0)))
				} else {
					vals = append(vals, itoa(b.Cols[col].Nums[0]))
				}
			}
			got := string(b.Key) + " " + itoa(b.Times[0]) + " " + string(f) + " [" + strings.Join(vals, " ") + "]"
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func itoa(v uint64) string { return string(decimal.AppendUint(nil, v)) }
