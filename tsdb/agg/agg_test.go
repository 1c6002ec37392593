package agg_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/aggref"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// run aggregates one key's rows, given as "ts:v" items of one format, and
// renders the result rows as read does with nanosecond timestamps and
// --print-format.
func run(t *testing.T, f format.Format, items, list string, step uint64) (string, error) {
	t.Helper()
	b := &format.Block{}
	b.Reset([]byte("k"), f)
	for item := range strings.FieldsSeq(items) {
		ts, v, _ := strings.Cut(item, ":")
		n, err := strconv.ParseUint(ts, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		b.Times = append(b.Times, n)
		num, err := aggref.ParseValue(f.Code(0), v)
		if err != nil {
			t.Fatal(err)
		}
		b.Cols[0].Nums = append(b.Cols[0].Nums, num)
	}
	fs, err := agg.ParseList(list)
	if err != nil {
		t.Fatal(err)
	}
	q := &agg.Query{Funcs: fs, Step: step}
	var out agg.Rows
	s := agg.NewSeries(q, agg.NewRowSink(q, &out))
	s.Reset(b.Key)
	if b.Len() > 0 {
		if err := s.Add(b, 0, b.Len()); err != nil {
			return "", err
		}
	}
	if err := s.Finish(); err != nil {
		return "", err
	}
	rf := &text.RowFormatter{PrintFormat: true}
	var buf []byte
	for _, blk := range out.Blocks() {
		buf = rf.AppendRows(buf, &blk, 0, blk.Len())
	}
	return string(buf), nil
}

func TestSeries_Aggregates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format format.Format
		rows   string
		list   string
		step   uint64
		want   string
	}{
		{"empty", "u", "", "count,mean", 0, ""},
		{"one row", "u", "5:7", "count,sum,mean,min,max,first,last,stddev,p50", 0,
			"k\t5\tUUFuuuuFF\t1 7 7.00000000000000000 7 7 7 7 NaN 7.00000000000000000\n"},
		{"types of u", "u", "1:1 2:3 3:2", "count,sum,mean,min,max,first,last,stddev,p50", 0,
			"k\t1\tUUFuuuuFF\t3 6 2.00000000000000000 1 3 1 2 1.00000000000000000 2.00000000000000000\n"},
		{"types of i", "i", "1:-1 2:2 3:-4", "sum,min,max,first", 0, "k\t1\tIiii\t-3 -4 2 -1\n"},
		{"types of f", "f", "1:0.5 2:1.5", "sum,min,last", 0, "k\t1\tFff\t2.00000000000000000 0.50000000000000000 1.50000000000000000\n"},
		{"buckets, empty ones skipped", "u", "0:1 9:2 10:3 35:4", "count,sum", 10,
			"k\t0\tUU\t2 3\nk\t10\tUU\t1 3\nk\t30\tUU\t1 4\n"},
		{"U sum overflows", "U", "1:18446744073709551615 2:1", "sum", 0, "error"},
		{"U sum up to the maximum", "U", "1:18446744073709551614 2:1", "sum", 0, "k\t1\tU\t18446744073709551615\n"},
		{"I sum overflows", "I", "1:-9223372036854775808 2:-1", "sum", 0, "error"},
		{"I sum comes back in range", "I", "1:9223372036854775807 2:1 3:-2", "sum,mean", 0,
			"k\t1\tIF\t9223372036854775806 3074457345618258432.00000000000000000\n"},
		{"mean never overflows", "U", "1:18446744073709551615 2:18446744073709551615", "mean", 0,
			"k\t1\tF\t18446744073709551616.00000000000000000\n"},
		{"NaN: min skips it, max is it", "F", "1:1 2:nan 3:-2", "min,max,sum,mean", 0, "k\t1\tFFFF\t-2.00000000000000000 NaN NaN NaN\n"},
		{"only NaN", "F", "1:nan 2:nan", "min,max,p50", 0, "k\t1\tFFF\tNaN NaN NaN\n"},
		{"NaN sorts last for quantiles", "F", "1:nan 2:1 3:2", "p0,p50,p100", 0, "k\t1\tFFF\t1.00000000000000000 2.00000000000000000 NaN\n"},
		{"inf", "F", "1:inf 2:1", "sum,min,max,mean,stddev", 0, "k\t1\tFFFFF\tinf 1.00000000000000000 inf inf NaN\n"},
		{"inf minus inf", "F", "1:inf 2:-inf", "sum,p50", 0, "k\t1\tFF\tNaN NaN\n"},
		{"quantile towards inf", "F", "1:1 2:inf", "p50,p0", 0, "k\t1\tFF\tinf 1.00000000000000000\n"},
		{"-0 sums to -0", "F", "1:-0 2:-0", "sum", 0, "k\t1\tF\t-0.00000000000000000\n"},
		{"0 and -0: the first is the min", "F", "1:0 2:-0", "min,max", 0, "k\t1\tFF\t0.00000000000000000 0.00000000000000000\n"},
		{"quantile interpolation", "u", "1:10 2:20 3:30 4:40", "p50,quantile(0.25),p90", 0,
			"k\t1\tFFF\t25.00000000000000000 17.50000000000000000 37.00000000000000000\n"},
		{"stddev is the sample's (n-1)", "u", "1:1 2:3", "stddev", 0, "k\t1\tF\t1.41421356237309515\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, tc.format, tc.rows, tc.list, tc.step)
			if tc.want == "error" {
				if !errors.Is(err, agg.ErrOverflow) || !strings.Contains(err.Error(), `key "k", bucket 1970-01-01T00:00:00.000000001Z`) {
					t.Errorf("error %v, want an overflow naming the key and bucket", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tc.want)
			}
		})
	}
}

func TestSeries_MixedFormats(t *testing.T) {
	q := &agg.Query{Funcs: mustList(t, "count,sum,min,max,first,last")}
	var out agg.Rows
	s := agg.NewSeries(q, agg.NewRowSink(q, &out))
	s.Reset([]byte("k"))
	for _, b := range []*format.Block{block("u", 1, 5), block("F", 2, math.Float64bits(-0.5)), block("I", 3, math.MaxUint64)} {
		if err := s.Add(b, 0, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	rf := &text.RowFormatter{PrintFormat: true}
	for _, b := range out.Blocks() {
		buf = rf.AppendRows(buf, &b, 0, b.Len())
	}
	// min is the I -1, max and first the u 5, sum a float.
	if want := "k\t1\tUFIuuI\t3 3.50000000000000000 -1 5 5 -1\n"; string(buf) != want {
		t.Errorf("got %q\nwant %q", buf, want)
	}
}

func TestSeries_BytesColumns(t *testing.T) {
	q := &agg.Query{Funcs: mustList(t, "count,mean")}
	b := &format.Block{}
	b.Reset([]byte("k"), "us")
	b.Times = append(b.Times, 1)
	b.Cols[0].Nums = append(b.Cols[0].Nums, 1)
	b.AppendBytes(1, []byte("x"))
	if err := q.CheckFormat(b.Format); !errors.Is(err, agg.ErrColumnType) || !strings.Contains(err.Error(), "column 2 is s") {
		t.Errorf("CheckFormat(us) = %v, want an error naming column 2", err)
	}
	s := agg.NewSeries(q, agg.NewRowSink(q, &agg.Rows{}))
	if err := s.Add(b, 0, 1); !errors.Is(err, agg.ErrColumnType) {
		t.Errorf("Add of an s column for mean: %v, want ErrColumnType", err)
	}
	q.Columns, _ = text.ParseColumns("1")
	if err := q.CheckFormat(b.Format); err != nil {
		t.Errorf("CheckFormat(us) with -C 1: %v", err)
	}
}

func block(f format.Format, ts, v uint64) *format.Block {
	b := &format.Block{}
	b.Reset([]byte("k"), f)
	b.Times = append(b.Times, ts)
	b.Cols[0].Nums = append(b.Cols[0].Nums, v)
	return b
}

func mustList(t *testing.T, s string) []agg.Func {
	t.Helper()
	fs, err := agg.ParseList(s)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}
