package tsdb

import (
	"bytes"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/benchdata"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// referenceSnapshot is a snapshot of the 10M-row u reference data set of
// the README (Performance), added as one transaction.
func referenceSnapshot(b *testing.B) *Snapshot {
	b.Helper()
	var in bytes.Buffer
	must(b, benchdata.Write(&in, benchdata.Config{}))
	db := newDB(b)
	_, _, err := db.AddText(&in, text.Options{Format: "u"})
	must(b, err)
	snap, err := db.Snapshot()
	must(b, err)
	b.Cleanup(func() { snap.Close() })
	return snap
}

// BenchmarkSnapshot_Aggregate aggregates the 10M-row reference data set:
// hourly mean, min and max per key is the DuckDB comparison of make
// bench; scan is the floor (decode and merge only).
func BenchmarkSnapshot_Aggregate(b *testing.B) {
	snap := referenceSnapshot(b)
	for _, bc := range []struct {
		name, list string
		step       uint64
		merge      []byte
	}{
		{"agg=mean,min,max/step=1h", "mean,min,max", 3600e9, nil},
		{"agg=count/step=1h", "count", 3600e9, nil},
		{"agg=mean,p99/step=1h/merge", "mean,p99", 3600e9, []byte("all")},
		{"agg=stddev,p50/step=1m", "stddev,p50", 60e9, nil},
	} {
		fs, err := agg.ParseList(bc.list)
		if err != nil {
			b.Fatal(err)
		}
		q := &agg.Query{Funcs: fs, Step: bc.step}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(10e6 * 8)
			for b.Loop() {
				err := snap.Aggregate(nil, q, &AggregateOptions{Merge: bc.merge}, func(*format.Block, int, int) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(10e6 * 8)
		for b.Loop() {
			if err := snap.ScanAppend(nil, 0, func(dst []byte, _ *format.Block, _, _ int) []byte { return dst }, func([]byte) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
