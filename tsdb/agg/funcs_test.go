package agg

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Func
	}{
		{"mean", []Func{{Kind: Mean, Name: "mean"}}},
		{"avg", []Func{{Kind: Mean, Name: "mean"}}},
		{"mean,min,max", []Func{{Kind: Mean, Name: "mean"}, {Kind: Min, Name: "min"}, {Kind: Max, Name: "max"}}},
		{" count , sum ", []Func{{Kind: Count, Name: "count"}, {Kind: Sum, Name: "sum"}}},
		{"first,last,stddev", []Func{{Kind: First, Name: "first"}, {Kind: Last, Name: "last"}, {Kind: Stddev, Name: "stddev"}}},
		{"p50,p99.9,p0,p100", []Func{{Kind: Quantile, Q: 0.5, Name: "p50"}, {Kind: Quantile, Q: 99.9 / 100, Name: "p99.9"},
			{Kind: Quantile, Q: 0, Name: "p0"}, {Kind: Quantile, Q: 1, Name: "p100"}}},
		{"quantile(0.25),quantile(1),quantile(.5)", []Func{{Kind: Quantile, Q: 0.25, Name: "quantile(0.25)"},
			{Kind: Quantile, Q: 1, Name: "quantile(1)"}, {Kind: Quantile, Q: 0.5, Name: "quantile(.5)"}}},
		{"max,max", []Func{{Kind: Max, Name: "max"}, {Kind: Max, Name: "max"}}},
	} {
		got, err := ParseList(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseList(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseList_Errors(t *testing.T) {
	for _, in := range []string{"", ",", "mean,", "median", "Mean", "p101", "p-1", "p", "p1e1", "pinf", "pnan",
		"quantile(2)", "quantile(-0.5)", "quantile()", "quantile(0.5", "quantile(nan)", "quantile(1e-1)", "p5.5.5", "count(v1)"} {
		if got, err := ParseList(in); err == nil {
			t.Errorf("ParseList(%q) = %v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "aggregate list") {
			t.Errorf("ParseList(%q): error %q does not name the list", in, err)
		}
	}
}

// FuzzParseList checks that an accepted list is valid and that the names
// of its aggregates parse back to the same list.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{"mean,min,max", "count, p50 ,p99.9", "quantile(0.25)", "avg", "p100,", "median"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseList(s)
		if err != nil {
			return
		}
		q := Query{Funcs: fs}
		if err := q.Validate(); err != nil {
			t.Fatalf("ParseList(%q) = %v, which is invalid: %v", s, fs, err)
		}
		names := make([]string, len(fs))
		for i, fn := range fs {
			names[i] = fn.Name
		}
		again, err := ParseList(strings.Join(names, ","))
		if err != nil || !reflect.DeepEqual(again, fs) {
			t.Fatalf("ParseList(%q) = %v; its names parse to %v, %v", s, fs, again, err)
		}
	})
}
