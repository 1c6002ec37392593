package agg

import (
	"errors"
	"fmt"
	"math"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

// Query says what to compute: for each selected value column, each
// aggregate of Funcs, per time bucket.
//
// With a Step, bucket k holds the timestamps [Offset + k*Step,
// Offset + (k+1)*Step) and is stamped with its start: epoch-aligned UTC
// buckets by default. Timestamps before Offset fall in the bucket that ends
// at Offset, stamped 0 (its start would be before 1970). Without a Step
// there is one bucket per series, stamped with the series' first
// timestamp. Empty buckets produce nothing.
type Query struct {
	Funcs []Func
	// Step is the bucket width in nanoseconds; 0 means one bucket.
	Step uint64
	// Offset shifts the bucket boundaries; only Offset modulo Step
	// matters.
	Offset uint64
	// Columns selects the value columns aggregated; nil selects all.
	Columns *text.ColumnSet
}

// ErrColumnType is matched by the error of an aggregate that does not
// apply to a column's type (mean of an s column).
var ErrColumnType = errors.New("aggregate does not apply to the column's type")

// columnTypeError says which column and aggregate do not go together.
type columnTypeError struct {
	col  int
	code format.Code
	fn   string
}

func (e *columnTypeError) Error() string {
	return fmt.Sprintf("column %d is %c: s and B columns take only count, first and last, not %s", e.col+1, e.code, e.fn)
}

func (e *columnTypeError) Is(target error) bool { return target == ErrColumnType }

// ErrOverflow is wrapped by the error of an integer sum that does not fit
// its type.
var ErrOverflow = errors.New("sum overflows")

// Validate checks the query.
func (q *Query) Validate() error {
	if len(q.Funcs) == 0 {
		return errors.New("no aggregate")
	}
	for _, f := range q.Funcs {
		if f.Kind < Count || f.Kind > Quantile {
			return fmt.Errorf("unknown aggregate kind %d", f.Kind)
		}
		if f.Kind == Quantile && !(f.Q >= 0 && f.Q <= 1) {
			return fmt.Errorf("quantile %v: want a fraction in [0, 1]", f.Q)
		}
	}
	return nil
}

// CheckFormat refuses a row format with an s or B column among the
// selected ones when an aggregate other than count, first and last is
// asked.
func (q *Query) CheckFormat(f format.Format) error {
	for col := range f.Len() {
		if !f.Code(col).Variable() || !q.Columns.Has(col) {
			continue
		}
		for _, fn := range q.Funcs {
			if !fn.OnBytes() {
				return &columnTypeError{col, f.Code(col), fn.Name}
			}
		}
	}
	return nil
}

// Width is the number of result columns of a bucket whose widest row has
// format f: len(Funcs) for each selected column of f.
func (q *Query) Width(f format.Format) int {
	n := 0
	for col := range f.Len() {
		if q.Columns.Has(col) {
			n++
		}
	}
	return n * len(q.Funcs)
}

// ResultFormat is the format of the result rows of a bucket whose rows all
// have format f (see the types in the package documentation): what a
// schema declared before the rows are aggregated (Parquet) must hold. A
// bucket whose rows mix formats may sum into another type (u with i into
// I, any float into F).
func (q *Query) ResultFormat(f format.Format) format.Format {
	var out []byte
	for col := range f.Len() {
		if !q.Columns.Has(col) {
			continue
		}
		code := f.Code(col)
		for _, fn := range q.Funcs {
			out = append(out, byte(resultCode(fn.Kind, code)))
		}
	}
	return format.Format(out)
}

// resultCode is the type of aggregate k over values of code.
func resultCode(k Kind, code format.Code) format.Code {
	switch k {
	case Count:
		return format.U64
	case Mean, Stddev, Quantile:
		return format.F64
	case Sum:
		switch {
		case code.Float():
			return format.F64
		case code.Signed():
			return format.I64
		}
		return format.U64
	}
	return code // min, max, first, last keep the column's type
}

// Names names the result columns of rows width columns wide, as a CSV
// header does: v1_mean, v1_max, v3_p99 for columns 1 and 3 and mean,max,p99
// ... with Funcs repeated for each selected column.
func (q *Query) Names(width int) []string {
	var names []string
	for col := 0; len(names) < width && col < format.MaxFormatLen; col++ {
		if !q.Columns.Has(col) {
			continue
		}
		for _, f := range q.Funcs {
			names = append(names, fmt.Sprintf("v%d_%s", col+1, f.Name))
		}
	}
	return names[:min(width, len(names))]
}

// bucket returns the bucket of ts: its start (the stamp, when Step is set)
// and its last timestamp.
func (q *Query) bucket(ts uint64) (start, last uint64) {
	if q.Step == 0 {
		return 0, math.MaxUint64
	}
	off := q.Offset % q.Step
	if ts < off {
		return 0, off - 1
	}
	start = ts - (ts-off)%q.Step
	if start > math.MaxUint64-(q.Step-1) {
		return start, math.MaxUint64
	}
	return start, start + (q.Step - 1)
}

// SameBucket reports whether the timestamps lo <= hi lie in one bucket.
func (q *Query) SameBucket(lo, hi uint64) bool {
	_, last := q.bucket(lo)
	return hi <= last
}

// CountOnly reports whether every aggregate is count, which block headers
// can answer without decoding.
func (q *Query) CountOnly() bool {
	for _, f := range q.Funcs {
		if f.Kind != Count {
			return false
		}
	}
	return true
}

// needs says which parts of an accumulator the aggregates use.
type needs struct {
	sum, minMax, variance, values, numeric bool
}

func (q *Query) needs() needs {
	var n needs
	for _, f := range q.Funcs {
		switch f.Kind {
		case Sum, Mean:
			n.sum = true
		case Min, Max:
			n.minMax = true
		case Stddev:
			n.variance = true
		case Quantile:
			n.values = true
		}
		n.numeric = n.numeric || !f.OnBytes()
	}
	return n
}
