package agg

import (
	"fmt"
	"math"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// State is what a bucket has accumulated: one accumulator per value
// column position.
type State struct {
	first uint64 // the first timestamp, the stamp of a bucket without Step
	rows  uint64
	cols  []acc
}

func (st *State) reset() {
	st.first, st.rows = 0, 0
	for i := range st.cols {
		st.cols[i].reset()
	}
	st.cols = st.cols[:0]
}

// col returns the accumulator of column col, adding empty ones up to it.
func (st *State) col(col int) *acc {
	for len(st.cols) <= col {
		if len(st.cols) < cap(st.cols) {
			st.cols = st.cols[:len(st.cols)+1]
		} else {
			st.cols = append(st.cols, acc{})
		}
		st.cols[len(st.cols)-1].reset()
	}
	return &st.cols[col]
}

// add accumulates rows [from, to) of b, all in the bucket, after the rows
// added before. scratch is memory for converted values.
func (st *State) add(q *Query, nd needs, b *format.Block, from, to int, scratch *[]float64) error {
	if st.rows == 0 {
		st.first = b.Times[from]
	}
	st.rows += uint64(to - from)
	for col := range b.Cols {
		if !q.Columns.Has(col) {
			continue
		}
		code := b.Format.Code(col)
		a := st.col(col)
		if !code.Variable() {
			a.addNums(nd, code, b.Cols[col].Nums[from:to], b.Times[from:to], scratch)
			continue
		}
		if nd.numeric {
			return q.CheckFormat(b.Format)
		}
		a.addBytes(b, col, from, to)
	}
	return nil
}

// addCount accumulates rows rows of format f, from first to last, for a
// query of counts only: what a block header tells.
func (st *State) addCount(q *Query, f format.Format, first, last uint64, rows int) {
	if st.rows == 0 {
		st.first = first
	}
	st.rows += uint64(rows)
	for col := range f.Len() {
		if q.Columns.Has(col) {
			a := st.col(col)
			if a.n == 0 {
				a.first, a.firstTS = num{code: f.Code(col)}, first
			}
			a.lastTS = last
			a.seen |= seenOf(f.Code(col))
			a.n += uint64(rows)
		}
	}
}

// merge folds o, the same bucket of a series that comes later in key
// order, into st.
func (st *State) merge(o *State) {
	if st.rows == 0 || o.rows > 0 && o.first < st.first {
		st.first = o.first
	}
	st.rows += o.rows
	for i := range o.cols {
		st.col(i).merge(&o.cols[i])
	}
}

// appendRow appends the bucket's result row, stamped ts, to out. The row
// has, for each selected column that some row of the bucket has, the
// result of each aggregate.
func (st *State) appendRow(q *Query, nd needs, out *Rows, key []byte, ts uint64) error {
	f := out.format[:0]
	n := 0
	for col := range st.cols {
		a := &st.cols[col]
		if !q.Columns.Has(col) {
			continue
		}
		if a.n == 0 {
			break // rows have a prefix of the columns: none has the next
		}
		for _, fn := range q.Funcs {
			code, err := a.code(fn)
			if err != nil {
				return fmt.Errorf("key %s, bucket %s: column %d: %w", format.Quote(key), timefmt.AppendRFC3339(nil, ts), col+1, err)
			}
			f = append(f, byte(code))
		}
		n = col + 1
	}
	out.format = f
	b := out.next(key, f)
	b.Times = append(b.Times, ts)
	j := 0
	for col := range n {
		a := &st.cols[col]
		if !q.Columns.Has(col) {
			continue
		}
		if nd.values {
			a.nan = partitionNaN(a.values)
		}
		for _, fn := range q.Funcs {
			a.appendResult(b, j, fn)
			j++
		}
	}
	return nil
}

// code is the type of fn's result.
func (a *acc) code(fn Func) (format.Code, error) {
	switch fn.Kind {
	case Count:
		return format.U64, nil
	case Sum:
		v, ok := a.sum()
		if !ok {
			return 0, fmt.Errorf("%w %c (the exact sum needs more than 64 bits; mean does not overflow)", ErrOverflow, v.code)
		}
		return v.code, nil
	case Min:
		return a.min.code, nil
	case Max:
		return a.max.code, nil
	case First:
		return a.first.code, nil
	case Last:
		return a.last.code, nil
	}
	return format.F64, nil
}

// appendResult appends fn's result to column j of b.
func (a *acc) appendResult(b *format.Block, j int, fn Func) {
	var v num
	switch fn.Kind {
	case Count:
		v = num{format.U64, a.n}
	case Sum:
		v, _ = a.sum()
	case Mean:
		v = floatNum(a.meanValue())
	case Min:
		v = a.min
	case Max:
		v = a.max
	case First:
		if a.first.code.Variable() {
			b.AppendBytes(j, a.firstB)
			return
		}
		v = a.first
	case Last:
		if a.last.code.Variable() {
			b.AppendBytes(j, a.lastB)
			return
		}
		v = a.last
	case Stddev:
		v = floatNum(a.stddev())
	case Quantile:
		v = floatNum(quantile(a.values, a.nan, fn.Q))
	}
	b.Cols[j].Nums = append(b.Cols[j].Nums, v.bits)
}

func floatNum(f float64) num { return num{format.F64, math.Float64bits(f)} }
