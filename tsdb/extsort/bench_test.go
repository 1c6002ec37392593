package extsort

import (
	"fmt"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// BenchmarkSorter_TimeOrdered sorts a log of 4M rows ordered by time
// across 1,000 keys, given as add --unsorted's parser gives it: blocks of
// each key's rows within a 1 MiB chunk (about 27 rows), with the default
// budget, spilling to disk.
func BenchmarkSorter_TimeOrdered(b *testing.B) { benchmarkLog(b, false) }

// BenchmarkSorter_Jittered is BenchmarkSorter_TimeOrdered with one row in
// ten a second late, so that every key's rows need sorting by time.
func BenchmarkSorter_Jittered(b *testing.B) { benchmarkLog(b, true) }

func benchmarkLog(b *testing.B, jitter bool) {
	const keys, perKey, perBlock = 1000, 4000, 27
	names := make([][]byte, keys)
	for k := range names {
		names[k] = fmt.Appendf(nil, "sensor.%05d", k)
	}
	blk := &format.Block{}
	dir := b.TempDir()
	b.SetBytes(keys * perKey * 16)
	for b.Loop() {
		s := New(Options{Dir: dir})
		for t0 := 0; t0 < perKey; t0 += perBlock {
			for k := range keys {
				blk.Reset(names[k], "u")
				for t := t0; t < min(t0+perBlock, perKey); t++ {
					ts := uint64(t) * 1e9
					if jitter && t%10 == 5 {
						ts += 1e9 + 1 // after the next row
					}
					blk.Times = append(blk.Times, ts)
					blk.Cols[0].Nums = append(blk.Cols[0].Nums, uint64(t*7+k))
				}
				if err := s.Add(blk, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		rows := 0
		if err := s.Sort(func(out *format.Block) error { rows += out.Len(); return nil }); err != nil {
			b.Fatal(err)
		}
		if rows != keys*perKey {
			b.Fatalf("%d rows out, want %d", rows, keys*perKey)
		}
		s.Close()
	}
}

// BenchmarkSorter_ManyKeys sorts 1M rows of 1M keys, one row each, in
// random key order: a run's keys cost more than its rows, and sorting
// them dominates.
func BenchmarkSorter_ManyKeys(b *testing.B) {
	const n = 1000000
	names := make([][]byte, n)
	for k := range names {
		names[k] = fmt.Appendf(nil, "id.%016x", uint64(k)*0x9e3779b97f4a7c15)
	}
	blk := &format.Block{}
	dir := b.TempDir()
	b.SetBytes(n * 16)
	for b.Loop() {
		s := New(Options{Dir: dir})
		for k := range n {
			blk.Reset(names[k], "u")
			blk.Times = append(blk.Times, 1e9)
			blk.Cols[0].Nums = append(blk.Cols[0].Nums, uint64(k))
			if err := s.Add(blk, nil); err != nil {
				b.Fatal(err)
			}
		}
		rows := 0
		if err := s.Sort(func(out *format.Block) error { rows += out.Len(); return nil }); err != nil {
			b.Fatal(err)
		}
		if rows != n {
			b.Fatalf("%d rows out, want %d", rows, n)
		}
		s.Close()
	}
}
