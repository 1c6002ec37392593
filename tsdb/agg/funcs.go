package agg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind is one aggregate function.
type Kind uint8

// The aggregates of read --agg.
const (
	Count    Kind = iota + 1 // rows (that have the column): U
	Sum                      // U, I or F (see Query)
	Mean                     // arithmetic mean: F
	Min                      // smallest, in the column's type
	Max                      // largest, in the column's type
	First                    // value of the earliest row, in its type
	Last                     // value of the latest row, in its type
	Stddev                   // sample standard deviation (n-1): F
	Quantile                 // linear-interpolation quantile: F
)

// Func is one aggregate of a list: its kind and, for Quantile, the
// fraction Q in [0, 1]. Name is how it is written in a canonical list
// (mean, p99, quantile(0.25)).
type Func struct {
	Kind Kind
	Q    float64
	Name string
}

// OnBytes reports whether f applies to s and B columns: only count, first
// and last do.
func (f Func) OnBytes() bool { return f.Kind == Count || f.Kind == First || f.Kind == Last }

var plainFuncs = map[string]Kind{
	"count": Count, "sum": Sum, "mean": Mean, "avg": Mean, "min": Min, "max": Max,
	"first": First, "last": Last, "stddev": Stddev,
}

var errFunc = errors.New("want count, sum, mean, min, max, first, last, stddev, pNN (p50, p99.9) or quantile(q) with q in [0, 1]")

// ParseList parses a comma-separated aggregate list such as
// "mean,min,max" or "count, p50, p99, quantile(0.999)". Spaces around an
// item are ignored; avg is mean; pNN is quantile(NN/100). An empty list or
// item, or an unknown name, is an error naming it.
func ParseList(list string) ([]Func, error) {
	var fs []Func
	for item := range strings.SplitSeq(list, ",") {
		f, err := parseFunc(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("aggregate list %q: %w", list, err)
		}
		fs = append(fs, f)
	}
	return fs, nil
}

func parseFunc(s string) (Func, error) {
	if k, ok := plainFuncs[s]; ok {
		name := s
		if k == Mean {
			name = "mean"
		}
		return Func{Kind: k, Name: name}, nil
	}
	if s == "" {
		return Func{}, fmt.Errorf("empty item: %w", errFunc)
	}
	if inner, ok := strings.CutPrefix(s, "quantile("); ok && strings.HasSuffix(inner, ")") {
		q, ok := parseFraction(strings.TrimSuffix(inner, ")"), "")
		if !ok {
			return Func{}, fmt.Errorf("%q: %w", s, errFunc)
		}
		return Func{Kind: Quantile, Q: q, Name: s}, nil
	}
	if pct, ok := strings.CutPrefix(s, "p"); ok {
		if q, ok := parseFraction(pct, "e-2"); ok {
			return Func{Kind: Quantile, Q: q, Name: s}, nil
		}
	}
	return Func{}, fmt.Errorf("unknown aggregate %q: %w", s, errFunc)
}

// parseFraction parses digits with at most one decimal point (no sign,
// exponent, inf or nan) scaled by the exponent suffix exp ("e-2" for a
// percentage: the nearest float64 to the decimal, as p99.9 means 0.999),
// within [0, 1].
func parseFraction(s, exp string) (float64, bool) {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return 0, false
		}
	}
	if s == "" || s == "." || dots > 1 || len(s) > 32 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s+exp, 64)
	if err != nil || v > 1 {
		return 0, false
	}
	return v, true
}
