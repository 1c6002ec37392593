package agg_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// BenchmarkSeries_Add aggregates blocks of 4,096 rows one second apart,
// as the reference data set holds them, into hourly buckets: the work
// after decoding.
func BenchmarkSeries_Add(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, bc := range []struct {
		format format.Format
		list   string
	}{
		{"u", "mean,min,max"}, {"u", "count"}, {"F", "mean,min,max"}, {"u", "stddev"}, {"u", "p50,p99"},
	} {
		blk := &format.Block{}
		blk.Reset([]byte("k"), bc.format)
		for i := range 4096 {
			blk.Times = append(blk.Times, uint64(i)*1e9)
			v := uint64(r.IntN(100000))
			if bc.format == "F" {
				v = math.Float64bits(r.NormFloat64())
			}
			blk.Cols[0].Nums = append(blk.Cols[0].Nums, v)
		}
		fs, err := agg.ParseList(bc.list)
		if err != nil {
			b.Fatal(err)
		}
		q := &agg.Query{Funcs: fs, Step: 3600e9}
		b.Run("format="+string(bc.format)+"/agg="+bc.list, func(b *testing.B) {
			out := &agg.Rows{}
			s := agg.NewSeries(q, agg.NewRowSink(q, out))
			b.ReportAllocs()
			b.SetBytes(int64(blk.Len()) * 8)
			for b.Loop() {
				s.Reset(blk.Key)
				out.Reset()
				if err := s.Add(blk, 0, blk.Len()); err != nil {
					b.Fatal(err)
				}
				if err := s.Finish(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
