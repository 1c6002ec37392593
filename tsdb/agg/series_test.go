package agg_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/aggref"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// numericFormats and byteFormats are the row formats random series draw
// from: a key may change format from row to row.
var (
	numericFormats = []format.Format{"u", "U", "i", "I", "f", "F", "uF", "Iu", "FFU", "fi"}
	byteFormats    = []format.Format{"s", "B", "us", "sF", "Bs", "u"}
)

// randomValue draws a value of code, often an extreme.
func randomValue(r *rand.Rand, code format.Code, big bool) (uint64, []byte) {
	small := r.IntN(4) > 0 || !big
	switch code {
	case format.U32:
		if small {
			return uint64(r.IntN(1000)), nil
		}
		return uint64(pick(r, []uint32{0, math.MaxUint32, r.Uint32()})), nil
	case format.U64:
		if small {
			return uint64(r.IntN(1000)), nil
		}
		return pick(r, []uint64{math.MaxUint64, 1 << 63, r.Uint64()}), nil
	case format.I32:
		if small {
			return uint64(int64(r.IntN(2000) - 1000)), nil
		}
		return uint64(int64(pick(r, []int32{math.MinInt32, math.MaxInt32, int32(r.Uint32())}))), nil
	case format.I64:
		if small {
			return uint64(int64(r.IntN(2000) - 1000)), nil
		}
		return uint64(pick(r, []int64{math.MinInt64, math.MaxInt64, int64(r.Uint64())})), nil
	case format.F32:
		v := float32(r.NormFloat64() * 100)
		if !small {
			v = pick(r, []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), 0})
		}
		return uint64(math.Float32bits(v)), nil
	case format.F64:
		v := r.NormFloat64() * 100
		if !small {
			v = pick(r, []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e300})
		}
		return math.Float64bits(v), nil
	}
	return 0, []byte(fmt.Sprintf("v%d", r.IntN(50)))[:r.IntN(4)]
}

func pick[T any](r *rand.Rand, vs []T) T { return vs[r.IntN(len(vs))] }

// randomRows draws the rows of a few keys, sorted by key then time.
func randomRows(r *rand.Rand, formats []format.Format, big bool) []aggref.Row {
	var rows []aggref.Row
	base := pick(r, []uint64{0, 1e9, math.MaxUint64 - 1000})
	for k := range 1 + r.IntN(4) {
		ts := base + uint64(r.IntN(20))
		for range r.IntN(40) {
			f := pick(r, formats)
			row := aggref.Row{Key: fmt.Sprintf("k%d", k), TS: ts, Format: f}
			for col := range f.Len() {
				v, s := randomValue(r, f.Code(col), big)
				row.Vals, row.Strs = append(row.Vals, v), append(row.Strs, s)
			}
			rows = append(rows, row)
			gap := 1 + uint64(r.IntN(int(pick(r, []uint64{3, 30, 300}))))
			if ts > math.MaxUint64-gap {
				break
			}
			ts += gap
		}
	}
	return rows
}

// randomQuery draws a valid query over formats.
func randomQuery(r *rand.Rand, bytes bool) *agg.Query {
	lists := []string{"count,sum,mean,min,max,first,last,stddev,p50,p90,quantile(0.25),p0,p100", "mean", "min,max", "sum", "p99,stddev", "first,last,count"}
	if bytes {
		lists = []string{"count", "first,last", "last,count,first"}
	}
	fs, err := agg.ParseList(pick(r, lists))
	if err != nil {
		panic(err)
	}
	q := &agg.Query{Funcs: fs, Step: pick(r, []uint64{0, 1, 7, 10, 100, 1000, math.MaxUint64}), Offset: uint64(r.IntN(20))}
	if r.IntN(3) == 0 {
		q.Columns, _ = text.ParseColumns(pick(r, []string{"1", "2", "1,3", "2-3", "none"}))
	}
	return q
}

// blocks cuts one key's rows into blocks of one format at random places.
func blocks(r *rand.Rand, rows []aggref.Row) []*format.Block {
	var out []*format.Block
	for i := 0; i < len(rows); {
		b := &format.Block{}
		b.Reset([]byte(rows[i].Key), rows[i].Format)
		for ; i < len(rows) && rows[i].Format == b.Format && rows[i].Key == string(b.Key) && (b.Len() == 0 || r.IntN(8) > 0); i++ {
			b.Times = append(b.Times, rows[i].TS)
			for col := range b.Cols {
				if b.Format.Code(col).Variable() {
					b.AppendBytes(col, rows[i].Strs[col])
				} else {
					b.Cols[col].Nums = append(b.Cols[col].Nums, rows[i].Vals[col])
				}
			}
		}
		out = append(out, b)
	}
	return out
}

// feed aggregates rows per key, or merged into a Partial per random batch
// of keys, as tsdb does, and returns the result rows.
func feed(r *rand.Rand, q *agg.Query, rows []aggref.Row, merge string) ([]aggref.Row, error) {
	var out agg.Rows
	sink := agg.NewRowSink(q, &out)
	var total, part *agg.Partial
	if merge != "" {
		total, part = agg.NewPartial(q), agg.NewPartial(q)
	}
	s := agg.NewSeries(q, sink)
	bs := blocks(r, rows)
	for i, b := range bs {
		newKey := i == 0 || string(bs[i-1].Key) != string(b.Key)
		if newKey && i > 0 {
			if err := s.Finish(); err != nil {
				return nil, err
			}
			if merge != "" && r.IntN(2) == 0 { // a new batch
				total.Merge(part)
				part = agg.NewPartial(q)
			}
		}
		if newKey {
			s.Reset(b.Key)
			if merge != "" {
				s.SetSink(part)
			}
		}
		from := 0
		if r.IntN(4) == 0 {
			from = r.IntN(b.Len()) // Add takes any run of rows
			if err := s.Add(b, 0, from); err != nil {
				return nil, err
			}
		}
		if err := s.Add(b, from, b.Len()); err != nil {
			return nil, err
		}
	}
	if err := s.Finish(); err != nil {
		return nil, err
	}
	if merge != "" {
		total.Merge(part)
		if err := total.AppendRows([]byte(merge), &out); err != nil {
			return nil, err
		}
	}
	var got []aggref.Row
	for _, b := range out.Blocks() {
		got = append(got, aggref.FromBlock(&b, 0, b.Len())...)
	}
	return got, nil
}

// TestSeries_Reference compares random series, cut into random blocks and
// batches, with the naive reference, per key and merged.
func TestSeries_Reference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 10000 {
		bytes := r.IntN(4) == 0
		formats := numericFormats
		if bytes {
			formats = byteFormats
		}
		big := r.IntN(3) == 0
		rows := randomRows(r, formats, big)
		q := randomQuery(r, bytes)
		merge := ""
		if r.IntN(3) == 0 {
			merge = "all"
		}
		want, werr := aggref.Aggregate(rows, q, merge)
		got, gerr := feed(r, q, rows, merge)
		if werr != nil || gerr != nil {
			if !errors.Is(werr, aggref.ErrOverflow) || !errors.Is(gerr, agg.ErrOverflow) {
				t.Fatalf("case %d: error %v, want %v", i, gerr, werr)
			}
			continue
		}
		if err := aggref.Compare(q, got, want); err != nil {
			t.Fatalf("case %d (step %d offset %d, funcs %v, merge %q, %d rows): %v", i, q.Step, q.Offset, q.Funcs, merge, len(rows), err)
		}
	}
}
