package tsdb

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/aggref"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// aggFormats are the row formats of random aggregation databases.
var aggFormats = []format.Format{"u", "U", "I", "F", "f", "uF", "Fi", "uus"}

// randomAggDB fills db with a few transactions of random rows of random
// formats, overwriting each other, and a few delete markers.
func randomAggDB(t *testing.T, r *rand.Rand, db *DB) {
	t.Helper()
	keys := []string{"a", "b", "b1", "c", "long"}
	for range 1 + r.IntN(5) {
		if r.IntN(4) == 0 {
			writeRandomMarker(t, r, db, keys)
			continue
		}
		tx, err := db.Begin()
		must(t, err)
		for _, k := range keys {
			if r.IntN(3) == 0 {
				continue
			}
			n := r.IntN(30)
			if k == "long" {
				n = r.IntN(6000)
			}
			ts := uint64(r.IntN(100)) * 10
			for n > 0 {
				b := randomAggBlock(r, k, ts, min(n, 1+r.IntN(5000)))
				must(t, tx.Write(b))
				n -= b.Len()
				ts = b.Times[b.Len()-1] + 1 + uint64(r.IntN(50))
			}
		}
		_, err = tx.Commit()
		must(t, err)
	}
}

// randomAggBlock is n rows of key from ts on, of one random format.
func randomAggBlock(r *rand.Rand, key string, ts uint64, n int) *format.Block {
	f := aggFormats[r.IntN(len(aggFormats))]
	b := &format.Block{}
	b.Reset([]byte(key), f)
	for range n {
		b.Times = append(b.Times, ts)
		ts += 1 + uint64(r.IntN(20))
		for col := range f.Len() {
			switch code := f.Code(col); code {
			case format.Str:
				b.AppendBytes(col, fmt.Appendf(nil, "s%d", r.IntN(9)))
			case format.F64:
				b.Cols[col].Nums = append(b.Cols[col].Nums, math.Float64bits([]float64{r.NormFloat64(), math.NaN(), math.Inf(1)}[r.IntN(50)%3*(r.IntN(20)/19)]))
			case format.F32:
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(math.Float32bits(float32(r.NormFloat64()*100))))
			case format.I32, format.I64:
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(int64(r.IntN(2000)-1000)))
			default:
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(r.IntN(1000)))
			}
		}
	}
	return b
}

func writeRandomMarker(t *testing.T, r *rand.Rand, db *DB, keys []string) {
	t.Helper()
	m := format.Marker{Filter: []byte(keys[r.IntN(len(keys))] + []string{"", "%"}[r.IntN(2)]), HasFilter: true}
	m.AfterTime, m.HasAfterTime = uint64(r.IntN(2000)), r.IntN(2) == 0
	m.BeforeTime, m.HasBeforeTime = m.AfterTime+uint64(r.IntN(3000)), r.IntN(2) == 0
	_, err := db.Delete(m)
	must(t, err)
}

// scanRows is what read prints for sel, as reference rows.
func scanRows(t *testing.T, snap *Snapshot, sel *Selector) []aggref.Row {
	t.Helper()
	var rows []aggref.Row
	must(t, snap.Scan(sel, func(b *format.Block, from, to int) error {
		rows = append(rows, aggref.FromBlock(b, from, to)...)
		return nil
	}))
	return rows
}

// aggregateRows runs Snapshot.Aggregate and returns its rows.
func aggregateRows(snap *Snapshot, sel *Selector, q *agg.Query, opts *AggregateOptions) ([]aggref.Row, error) {
	var rows []aggref.Row
	err := snap.Aggregate(sel, q, opts, func(b *format.Block, from, to int) error {
		rows = append(rows, aggref.FromBlock(b, from, to)...)
		return nil
	})
	return rows, err
}

// TestSnapshot_Aggregate_Reference compares Aggregate with the naive
// reference computed over Scan's rows (what read prints) on random
// databases with overwrites, deletes, several formats, steps, time bounds,
// merges and worker counts.
func TestSnapshot_Aggregate_Reference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	lists := []string{"count", "count,sum,mean,min,max,first,last,stddev,p50,p99", "mean,max", "first,last,count"}
	for i := range 25 {
		db := newDB(t)
		randomAggDB(t, r, db)
		snap, err := db.Snapshot()
		must(t, err)
		for j := range 10 {
			sel := &Selector{Filters: [][]byte{[]byte(pick(r, []string{"%", "b%", "long", "a"}))}}
			if r.IntN(2) == 0 {
				sel.AfterTime, sel.HasAfterTime = uint64(r.IntN(1000)), true
			}
			if r.IntN(2) == 0 {
				sel.BeforeTime, sel.HasBeforeTime = uint64(r.IntN(100000)), true
			}
			fs, err := agg.ParseList(pick(r, lists))
			must(t, err)
			q := &agg.Query{Funcs: fs, Step: pick(r, []uint64{0, 1, 100, 1000, 7777}), Offset: uint64(r.IntN(500))}
			if r.IntN(2) == 0 || fs[0].Kind != agg.First && len(fs) > 1 {
				q.Columns, _ = text.ParseColumns(pick(r, []string{"1", "1-2"}))
			}
			opts := &AggregateOptions{Workers: 1 + r.IntN(3)}
			merge := ""
			if r.IntN(3) == 0 {
				merge = "merged"
				opts.Merge = []byte(merge)
			}
			want, err := aggref.Aggregate(scanRows(t, snap, sel), q, merge)
			must(t, err)
			got, err := aggregateRows(snap, sel, q, opts)
			must(t, err)
			if err := aggref.Compare(q, got, want); err != nil {
				t.Fatalf("database %d, query %d (%s, step %d, offset %d, merge %q, workers %d, bounds %+v): %v",
					i, j, sel.Filters[0], q.Step, q.Offset, merge, opts.Workers, sel.Bounds, err)
			}
		}
		must(t, snap.Close())
	}
}

func pick[T any](r *rand.Rand, vs []T) T { return vs[r.IntN(len(vs))] }

// TestSnapshot_Aggregate_Batches aggregates more keys and rows than one
// batch holds, in parallel and merged, against the reference.
func TestSnapshot_Aggregate_Batches(t *testing.T) {
	db := newDB(t)
	r := rand.New(rand.NewPCG(7, 8))
	tx, err := db.Begin()
	must(t, err)
	for k := range 3000 {
		b := &format.Block{}
		b.Reset(fmt.Appendf(nil, "k%05d", k), "F")
		for i := range 1 + k%20 {
			b.Times = append(b.Times, uint64(i*1000+r.IntN(1000)))
			b.Cols[0].Nums = append(b.Cols[0].Nums, math.Float64bits(r.NormFloat64()))
		}
		must(t, tx.Write(b))
	}
	_, err = tx.Commit()
	must(t, err)
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	fs, err := agg.ParseList("count,sum,mean,min,max,first,last,stddev,p90")
	must(t, err)
	q := &agg.Query{Funcs: fs, Step: 5000}
	for _, merge := range []string{"", "all"} {
		want, err := aggref.Aggregate(scanRows(t, snap, nil), q, merge)
		must(t, err)
		for _, workers := range []int{1, 2, 4} {
			opts := &AggregateOptions{Workers: workers}
			if merge != "" {
				opts.Merge = []byte(merge)
			}
			got, err := aggregateRows(snap, nil, q, opts)
			must(t, err)
			if err := aggref.Compare(q, got, want); err != nil {
				t.Fatalf("merge %q, %d workers: %v", merge, workers, err)
			}
		}
	}
}

func TestSnapshot_AggregateWidth(t *testing.T) {
	db := newDB(t)
	tx, err := db.Begin()
	must(t, err)
	for _, b := range []*format.Block{randomAggBlock(rand.New(rand.NewPCG(1, 1)), "n", 1, 3), sBlock("s", 1, "us")} {
		must(t, tx.Write(b))
	}
	_, err = tx.Commit()
	must(t, err)
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	mean := &agg.Query{Funcs: []agg.Func{{Kind: agg.Mean, Name: "mean"}, {Kind: agg.Max, Name: "max"}}}
	if _, err := snap.AggregateWidth(nil, mean); !errors.Is(err, agg.ErrColumnType) || !strings.Contains(err.Error(), `key "s": column 2 is s`) {
		t.Errorf("AggregateWidth(mean of an s column) = %v, want ErrColumnType naming the key and column", err)
	}
	err = snap.Aggregate(nil, mean, nil, func(*format.Block, int, int) error { return errors.New("emitted") })
	if !errors.Is(err, agg.ErrColumnType) {
		t.Errorf("Aggregate(mean of an s column) = %v, want ErrColumnType before any row", err)
	}
	count := &agg.Query{Funcs: []agg.Func{{Kind: agg.Count, Name: "count"}}}
	if w, err := snap.AggregateWidth(&Selector{Filters: [][]byte{[]byte("s")}}, count); w != 2 || err != nil {
		t.Errorf("AggregateWidth(count of us) = %d, %v; want 2", w, err)
	}
	mean.Columns, _ = text.ParseColumns("1")
	if w, err := snap.AggregateWidth(nil, mean); w != 2 || err != nil {
		t.Errorf("AggregateWidth(-C 1 mean,max) = %d, %v; want 2", w, err)
	}
}

// sBlock is one row of format f at ts, its s columns "x".
func sBlock(key string, ts uint64, f format.Format) *format.Block {
	b := &format.Block{}
	b.Reset([]byte(key), f)
	b.Times = append(b.Times, ts)
	for col := range f.Len() {
		if f.Code(col).Variable() {
			b.AppendBytes(col, []byte("x"))
		} else {
			b.Cols[col].Nums = append(b.Cols[col].Nums, 7)
		}
	}
	return b
}

// TestSnapshot_Aggregate_CountFromIndex checks that counts from block
// headers equal decoded counts where a newer file or a marker forbids
// the shortcut.
func TestSnapshot_Aggregate_CountFromIndex(t *testing.T) {
	db := newDB(t)
	var rows []row
	for i := range 10000 {
		rows = append(rows, row{"k", uint64(i), uint64(i)})
	}
	commitRows(t, db, rows...)
	q := &agg.Query{Funcs: []agg.Func{{Kind: agg.Count, Name: "count"}}}
	check := func(what, want string) {
		t.Helper()
		snap, err := db.Snapshot()
		must(t, err)
		defer snap.Close()
		got, err := aggregateRows(snap, &Selector{Filters: [][]byte{[]byte("k")}, Bounds: format.Bounds{AfterTime: 10, HasAfterTime: true}}, q, nil)
		must(t, err)
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%s: %s\nwant %s", what, s, want)
		}
	}
	check("one bucket, the time bound cuts a block", "[{k 10 U [9990] [[]]}]")
	q.Step = 3000
	check("one file", "[{k 0 U [2990] [[]]} {k 3000 U [3000] [[]]} {k 6000 U [3000] [[]]} {k 9000 U [1000] [[]]}]")
	commitRows(t, db, row{"k", 5000, 1}, row{"k", 20000, 1})
	check("overwrite", "[{k 0 U [2990] [[]]} {k 3000 U [3000] [[]]} {k 6000 U [3000] [[]]} {k 9000 U [1000] [[]]} {k 18000 U [1] [[]]}]")
	_, err := db.Delete(format.Marker{Filter: []byte("k"), HasFilter: true, Bounds: format.Bounds{BeforeTime: 3500, HasBeforeTime: true}})
	must(t, err)
	check("delete", "[{k 3000 U [2500] [[]]} {k 6000 U [3000] [[]]} {k 9000 U [1000] [[]]} {k 18000 U [1] [[]]}]")
}

// TestSnapshot_Aggregate_EmitError stops at emit's first error, in
// parallel too, without leaking the workers.
func TestSnapshot_Aggregate_EmitError(t *testing.T) {
	db := newDB(t)
	var rows []row
	for k := range 3000 {
		for i := range 10 {
			rows = append(rows, row{fmt.Sprintf("k%05d", k), uint64(i), 1})
		}
	}
	commitRows(t, db, rows...)
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	q := &agg.Query{Funcs: []agg.Func{{Kind: agg.Sum, Name: "sum"}}, Step: 3}
	stop := errors.New("stop")
	for _, opts := range []*AggregateOptions{{Workers: 1}, {Workers: 2}, {Workers: 2, Merge: []byte("m")}} {
		calls := 0
		err := snap.Aggregate(nil, q, opts, func(*format.Block, int, int) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("%+v: Aggregate = %v after %d calls, want the emit error after 1", opts, err, calls)
		}
		calls = 0
		err = snap.AggregateAppend(nil, q, opts, func(dst []byte, _ *format.Block, _, _ int) []byte { return append(dst, 'x') },
			func([]byte) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("%+v: AggregateAppend = %v after %d writes, want the write error after 1", opts, err, calls)
		}
	}
}
