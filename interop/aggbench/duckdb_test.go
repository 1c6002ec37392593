package main

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// TestAggregate_DuckDB checks chime's aggregates of float columns, NaN
// and infinities included, against DuckDB's on the same rows: count, sum,
// avg, min, max, stddev_samp, quantile_cont, and first and last by time.
func TestAggregate_DuckDB(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type sample struct {
		key string
		ts  uint64
		v   float64
	}
	var rows []sample
	for k := range 20 {
		ts := uint64(r.IntN(100))
		for range r.IntN(300) {
			v := r.NormFloat64() * 1000
			switch r.IntN(100) {
			case 0:
				v = math.NaN()
			case 1:
				v = math.Inf(1)
			case 2:
				v = math.Inf(-1)
			case 3:
				v = math.Copysign(0, -1)
			}
			rows = append(rows, sample{fmt.Sprintf("k%02d", k), ts, v})
			ts += 1 + uint64(r.IntN(30))
		}
	}

	// chime
	dir := filepath.Join(t.TempDir(), "db")
	must(t, tsdb.Init(dir))
	db, err := tsdb.Open(dir, &tsdb.Options{NoSync: true})
	must(t, err)
	tx, err := db.Begin()
	must(t, err)
	for _, s := range rows {
		b := &format.Block{}
		b.Reset([]byte(s.key), "F")
		b.Times, b.Cols[0].Nums = []uint64{s.ts}, []uint64{math.Float64bits(s.v)}
		must(t, tx.Write(b))
	}
	_, err = tx.Commit()
	must(t, err)
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	const step = 500
	funcs, err := agg.ParseList("count,sum,mean,min,max,stddev,p50,p90,first,last")
	must(t, err)
	var got []string
	err = snap.Aggregate(nil, &agg.Query{Funcs: funcs, Step: step}, nil, func(b *format.Block, from, to int) error {
		for i := from; i < to; i++ {
			line := fmt.Sprintf("%s %d %d", b.Key, b.Times[i], b.Cols[0].Nums[i])
			for col := 1; col < len(b.Cols); col++ {
				line += " " + show(math.Float64frombits(b.Cols[col].Nums[i]))
			}
			got = append(got, line)
		}
		return nil
	})
	must(t, err)

	// DuckDB
	duck, err := sql.Open("duckdb", "")
	must(t, err)
	defer duck.Close()
	duck.SetMaxOpenConns(1)
	_, err = duck.Exec("CREATE TABLE f (key VARCHAR, ts UBIGINT, v DOUBLE)")
	must(t, err)
	for _, s := range rows {
		_, err := duck.Exec("INSERT INTO f VALUES (?, ?, ?::DOUBLE)", s.key, s.ts, sqlFloat(s.v))
		must(t, err)
	}
	q := fmt.Sprintf(`SELECT key, ts // %[1]d * %[1]d AS b, count(v), sum(v), avg(v), min(v), max(v),
		CASE WHEN bool_or(NOT isfinite(v)) THEN 'NaN'::DOUBLE ELSE stddev_samp(CASE WHEN isfinite(v) THEN v ELSE 0 END) END,
		quantile_cont(v, 0.5), quantile_cont(v, 0.9), arg_min(v, ts), arg_max(v, ts)
		FROM f GROUP BY ALL ORDER BY ALL`, step)
	rs, err := duck.Query(q)
	must(t, err)
	defer rs.Close()
	var want []string
	for rs.Next() {
		var key string
		var b, n uint64
		var vs [9]sql.NullFloat64
		dest := []any{&key, &b, &n}
		for i := range vs {
			dest = append(dest, &vs[i])
		}
		must(t, rs.Scan(dest...))
		line := fmt.Sprintf("%s %d %d", key, b, n)
		for _, v := range vs {
			if !v.Valid {
				v.Float64 = math.NaN() // stddev_samp of one value
			}
			line += " " + show(v.Float64)
		}
		want = append(want, line)
	}
	must(t, rs.Err())
	if len(got) != len(want) {
		t.Fatalf("chime gave %d rows, DuckDB %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("row %d:\n chime  %s\n DuckDB %s", i+1, got[i], want[i])
		}
	}
}

// show prints a float to 12 significant digits, so that sums in another
// order compare equal, and -0 as 0 (DuckDB and chime may differ there).
func show(v float64) string {
	if v == 0 {
		return "0"
	}
	return strings.ReplaceAll(fmt.Sprintf("%.12g", v), "+Inf", "inf")
}

// sqlFloat passes NaN and infinities as text DuckDB casts.
func sqlFloat(v float64) any {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return fmt.Sprint(v)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
