// Package aggref is a deliberately naive statement of what read --agg
// computes, for tests: it aggregates rows as read prints them with
// big-number arithmetic, sorting and plain loops, sharing no code with
// tsdb/agg but its types, so that the two can be compared.
package aggref

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// Row is one row as read prints it. Vals holds numbers as format.Column
// carries them; Strs the s and B values (nil for numeric columns).
type Row struct {
	Key    string
	TS     uint64
	Format format.Format
	Vals   []uint64
	Strs   [][]byte
}

// FromBlock returns rows [from, to) of b.
func FromBlock(b *format.Block, from, to int) []Row {
	var out []Row
	for i := from; i < to; i++ {
		r := Row{Key: string(b.Key), TS: b.Times[i], Format: b.Format}
		for col := range b.Cols {
			if b.Format.Code(col).Variable() {
				r.Vals = append(r.Vals, 0)
				r.Strs = append(r.Strs, bytes.Clone(b.Bytes(col, i)))
			} else {
				r.Vals = append(r.Vals, b.Cols[col].Nums[i])
				r.Strs = append(r.Strs, nil)
			}
		}
		out = append(out, r)
	}
	return out
}

// ErrOverflow is returned when an integer sum does not fit its type.
var ErrOverflow = errors.New("overflow")

// Aggregate computes q over rows, sorted by key then time as read prints
// them, per key or, with a merge name, as one series.
func Aggregate(rows []Row, q *agg.Query, merge string) ([]Row, error) {
	type group struct {
		key    string
		bucket uint64
		rows   []Row
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range rows {
		key := r.Key
		if merge != "" {
			key = merge
		}
		b := bucketOf(q, r.TS)
		id := fmt.Sprintf("%q/%d", key, b)
		g := index[id]
		if g == nil {
			g = &group{key: key, bucket: b}
			index[id] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.bucket, b.bucket))
	})
	var out []Row
	for _, g := range groups {
		r, err := aggregateGroup(q, g.key, g.bucket, g.rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// bucketOf is the start of the bucket of ts, by plain division.
func bucketOf(q *agg.Query, ts uint64) uint64 {
	if q.Step == 0 {
		return 0
	}
	off := q.Offset % q.Step
	if ts < off {
		return 0
	}
	return off + (ts-off)/q.Step*q.Step
}

// value is one value of a column with the time and order of its row.
type value struct {
	code format.Code
	bits uint64
	str  []byte
	ts   uint64
}

func aggregateGroup(q *agg.Query, key string, bucket uint64, rows []Row) (Row, error) {
	out := Row{Key: key, TS: bucket}
	if q.Step == 0 {
		out.TS = rows[0].TS
		for _, r := range rows {
			out.TS = min(out.TS, r.TS)
		}
	}
	var f []byte
	for col := 0; col < format.MaxFormatLen; col++ {
		if !q.Columns.Has(col) {
			continue
		}
		var vs []value
		for _, r := range rows {
			if col < r.Format.Len() {
				vs = append(vs, value{r.Format.Code(col), r.Vals[col], r.Strs[col], r.TS})
			}
		}
		if len(vs) == 0 {
			break
		}
		for _, fn := range q.Funcs {
			v, err := compute(fn, vs)
			if err != nil {
				return Row{}, fmt.Errorf("key %s bucket %d column %d: %w", key, bucket, col+1, err)
			}
			f = append(f, byte(v.code))
			out.Vals = append(out.Vals, v.bits)
			out.Strs = append(out.Strs, v.str)
		}
	}
	out.Format = format.Format(f)
	return out, nil
}

func compute(fn agg.Func, vs []value) (value, error) {
	switch fn.Kind {
	case agg.Count:
		return value{code: format.U64, bits: uint64(len(vs))}, nil
	case agg.Sum:
		return sum(vs)
	case agg.Mean:
		return floatValue(total(vs) / float64(len(vs))), nil
	case agg.Min:
		return extreme(vs, -1), nil
	case agg.Max:
		return extreme(vs, 1), nil
	case agg.First:
		best := vs[0]
		for _, v := range vs {
			if v.ts < best.ts {
				best = v
			}
		}
		return best, nil
	case agg.Last:
		best := vs[0]
		for _, v := range vs {
			if v.ts >= best.ts {
				best = v
			}
		}
		return best, nil
	case agg.Stddev:
		return floatValue(stddev(vs)), nil
	}
	return floatValue(quantile(vs, fn.Q)), nil
}

func floatValue(f float64) value { return value{code: format.F64, bits: math.Float64bits(f)} }

func bigInt(v value) *big.Int {
	if v.code.Signed() {
		return big.NewInt(int64(v.bits))
	}
	return new(big.Int).SetUint64(v.bits)
}

func sum(vs []value) (value, error) {
	ints, floats, signed := new(big.Int), math.Copysign(0, -1), false
	hasInt, hasFloat := false, false
	for _, v := range vs {
		if v.code.Float() {
			floats += v.code.AsFloat64(v.bits)
			hasFloat = true
		} else {
			ints.Add(ints, bigInt(v))
			signed = signed || v.code.Signed()
			hasInt = true
		}
	}
	switch {
	case hasFloat && hasInt:
		f, _ := new(big.Float).SetInt(ints).Float64()
		return floatValue(f + floats), nil
	case hasFloat:
		return floatValue(floats), nil
	case signed:
		if !ints.IsInt64() {
			return value{}, ErrOverflow
		}
		return value{code: format.I64, bits: uint64(ints.Int64())}, nil
	}
	if !ints.IsUint64() {
		return value{}, ErrOverflow
	}
	return value{code: format.U64, bits: ints.Uint64()}, nil
}

// total is the sum as a float64, integers summed exactly first.
func total(vs []value) float64 {
	v, err := sum(vs)
	if err != nil || v.code != format.F64 {
		ints := new(big.Int)
		for _, v := range vs {
			ints.Add(ints, bigInt(v))
		}
		f, _ := new(big.Float).SetInt(ints).Float64()
		return f
	}
	return math.Float64frombits(v.bits)
}

// less orders numbers by value, NaN above everything, with big.Float.
func less(a, b value) bool {
	an, bn := isNaN(a), isNaN(b)
	if an || bn {
		return !an && bn
	}
	return exact(a).Cmp(exact(b)) < 0
}

func isNaN(v value) bool { return v.code.Float() && math.IsNaN(v.code.AsFloat64(v.bits)) }

func exact(v value) *big.Float {
	if v.code.Float() {
		return big.NewFloat(v.code.AsFloat64(v.bits))
	}
	return new(big.Float).SetInt(bigInt(v))
}

// extreme is the first smallest (dir -1) or first largest (dir 1) value.
func extreme(vs []value, dir int) value {
	best := vs[0]
	for _, v := range vs[1:] {
		if dir < 0 && less(v, best) || dir > 0 && less(best, v) {
			best = v
		}
	}
	return best
}

func stddev(vs []value) float64 {
	if len(vs) < 2 {
		return math.NaN()
	}
	var s float64
	for _, v := range vs {
		s += v.code.AsFloat64(v.bits)
	}
	mean := s / float64(len(vs))
	var ss float64
	for _, v := range vs {
		d := v.code.AsFloat64(v.bits) - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(len(vs)-1))
}

// quantile is definition 7 of Hyndman and Fan over the values sorted with
// NaN last.
func quantile(vs []value, q float64) float64 {
	xs := make([]float64, len(vs))
	for i, v := range vs {
		xs[i] = v.code.AsFloat64(v.bits)
	}
	sort.SliceStable(xs, func(i, j int) bool {
		return !math.IsNaN(xs[i]) && (math.IsNaN(xs[j]) || xs[i] < xs[j])
	})
	h := q * float64(len(xs)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	a, b, d := xs[i], xs[i+1], h-lo
	if d == 0 || a == b {
		return a
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a*(1-d) + b*d
	}
	return a + d*(b-a)
}

// ParseValue parses a numeric value as read prints it, with strconv (not
// format/text's parser: the reference depends on nothing it checks).
func ParseValue(code format.Code, v string) (uint64, error) {
	switch code {
	case format.U32, format.U64:
		return strconv.ParseUint(v, 10, 64)
	case format.I32, format.I64:
		n, err := strconv.ParseInt(v, 10, 64)
		return uint64(n), err
	case format.F32:
		f, err := strconv.ParseFloat(v, 32)
		return uint64(math.Float32bits(float32(f))), err
	}
	f, err := strconv.ParseFloat(v, 64)
	return math.Float64bits(f), err
}
