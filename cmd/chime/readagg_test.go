package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/aggref"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// TestRead_AggEqualsAggregatingRead checks, whole process, that
// `read ... --agg X` prints what aggregating `read ...`'s own text output
// gives, on a database with several formats, overwrites and a delete.
func TestRead_AggEqualsAggregatingRead(t *testing.T) {
	db := newDB(t)
	r := rand.New(rand.NewPCG(21, 22))
	for _, f := range []string{"u", "F", "uF", "I", "F"} {
		chime(t, randomAggInput(r, f), "-d", db, "add", "-f", f)
	}
	chime(t, "", "-d", db, "delete", "k1", "--after-time", "1970-01-01T00:00:00.000000500Z", "--before-time", "1970-01-01T00:00:00.000000900Z")
	for _, tc := range []struct{ list, step, merge, cols string }{
		{"count,sum,mean,min,max,first,last,stddev,p50,p90", "100ns", "", ""},
		{"mean", "1us", "", "1"},
		{"count,sum,max,last", "", "", ""},
		{"sum,min,p99", "250ns", "all", ""},
		{"count,first", "7ns", "", "2"},
		{"mean,stddev", "", "all", "1-2"},
	} {
		for _, bounds := range [][]string{nil, {"--after-time", "1970-01-01T00:00:00.000000150Z", "--before-time", "1970-01-01T00:00:00.000001750Z"}} {
			read := append([]string{"-d", db, "read", "k%", "--timestamp-nanos", "--print-format"}, bounds...)
			args := append(read, "--agg", tc.list)
			q := &agg.Query{}
			var err error
			if q.Funcs, err = agg.ParseList(tc.list); err != nil {
				t.Fatal(err)
			}
			if tc.step != "" {
				args = append(args, "--step", tc.step)
				q.Step, _ = agg.ParseDuration(tc.step)
			}
			if tc.merge != "" {
				args = append(args, "--merge", tc.merge)
			}
			if tc.cols != "" {
				args = append(args, "-C", tc.cols)
				q.Columns, _ = text.ParseColumns(tc.cols)
			}
			want, err := aggref.Aggregate(parseRead(t, chime(t, "", read...)), q, tc.merge)
			if err != nil {
				t.Fatal(err)
			}
			got := parseRead(t, chime(t, "", args...))
			if err := aggref.Compare(q, got, want); err != nil {
				t.Errorf("chime %s: %v", strings.Join(args[2:], " "), err)
			}
		}
	}
}

// randomAggInput is add input of format f for keys k0..k3: values whose
// text is exact (integers, eighths, nan, inf), times overlapping other
// transactions'.
func randomAggInput(r *rand.Rand, f string) string {
	var sb strings.Builder
	for k := range 4 {
		ts := uint64(r.IntN(50))
		for range r.IntN(200) {
			fmt.Fprintf(&sb, "k%d %d", k, ts)
			for _, c := range f {
				switch c {
				case 'F':
					if r.IntN(50) == 0 {
						sb.WriteString([]string{" nan", " inf", " -inf"}[r.IntN(3)])
					} else {
						fmt.Fprintf(&sb, " %g", float64(r.IntN(16000)-8000)/8)
					}
				case 'I':
					fmt.Fprintf(&sb, " %d", r.IntN(2000000)-1000000)
				default:
					fmt.Fprintf(&sb, " %d", r.IntN(100000))
				}
			}
			sb.WriteByte('\n')
			ts += 1 + uint64(r.IntN(20))
		}
	}
	return sb.String()
}

// parseRead parses read's text output with --timestamp-nanos and
// --print-format (numeric formats only).
func parseRead(t *testing.T, out string) []aggref.Row {
	t.Helper()
	var rows []aggref.Row
	for line := range strings.Lines(out) {
		fields := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(fields) != 4 {
			t.Fatalf("read printed %q", line)
		}
		ts, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		row := aggref.Row{Key: fields[0], TS: ts, Format: format.Format(fields[2])}
		for i, v := range strings.Fields(fields[3]) {
			bits, err := aggref.ParseValue(row.Format.Code(i), v)
			if err != nil {
				t.Fatalf("read printed %q: %v", line, err)
			}
			row.Vals, row.Strs = append(row.Vals, bits), append(row.Strs, nil)
		}
		rows = append(rows, row)
	}
	return rows
}
