package aggref

import (
	"bytes"
	"fmt"
	"math"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// Tolerance is the relative difference allowed between floating-point
// results that depend on the order of additions (mean, stddev, quantiles
// and float sums); every other result must be exact.
const Tolerance = 1e-9

// Compare reports the first difference between got and want, results of
// q, or nil.
func Compare(q *agg.Query, got, want []Row) error {
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) {
			return fmt.Errorf("got %d rows, want %d (first extra or missing: row %d)", len(got), len(want), i+1)
		}
		if err := compareRow(q, &got[i], &want[i]); err != nil {
			return fmt.Errorf("row %d: %w\n got %v\nwant %v", i+1, err, got[i], want[i])
		}
	}
	return nil
}

func compareRow(q *agg.Query, g, w *Row) error {
	if g.Key != w.Key || g.TS != w.TS || g.Format != w.Format {
		return fmt.Errorf("key, time or format differ")
	}
	for j := range g.Vals {
		fn := q.Funcs[j%len(q.Funcs)]
		code := g.Format.Code(j)
		switch {
		case code.Variable():
			if !bytes.Equal(g.Strs[j], w.Strs[j]) {
				return fmt.Errorf("value %d: %q, want %q", j+1, g.Strs[j], w.Strs[j])
			}
		case code == format.F64 && fn.Kind != agg.Min && fn.Kind != agg.Max && fn.Kind != agg.First && fn.Kind != agg.Last:
			if !near(math.Float64frombits(g.Vals[j]), math.Float64frombits(w.Vals[j])) {
				return fmt.Errorf("value %d (%s): %v, want %v", j+1, fn.Name, math.Float64frombits(g.Vals[j]), math.Float64frombits(w.Vals[j]))
			}
		case g.Vals[j] != w.Vals[j]:
			return fmt.Errorf("value %d (%s): bits %#x, want %#x", j+1, fn.Name, g.Vals[j], w.Vals[j])
		}
	}
	return nil
}

func near(a, b float64) bool {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && math.IsNaN(b)
	case a == b:
		return true
	case math.IsInf(a, 0) || math.IsInf(b, 0):
		return false
	}
	return math.Abs(a-b) <= Tolerance*max(math.Abs(a), math.Abs(b), 1)
}
