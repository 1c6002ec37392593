package tsdb

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

func stats(t testing.TB, db *DB, sel *Selector, exact bool) *Stats {
	t.Helper()
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	st, err := snap.Stats(sel, StatsOptions{Exact: exact})
	must(t, err)
	return st
}

func TestSnapshot_Stats(t *testing.T) {
	db := newDB(t)
	tx1 := commitRows(t, db, row{"a", 1, 1}, row{"a", 2, 1}, row{"b", 5, 1})
	tx2 := commitRows(t, db, row{"a", 3, 1}, row{"c", 9, 1})
	st := stats(t, db, nil, false)
	if st.Keys != 3 || st.Rows != 5 || st.First != 1 || st.Last != 9 || !st.Exact || !st.TimesExact {
		t.Errorf("disjoint transactions: %+v", st)
	}
	if len(st.Files) != 3 || st.Files[0].Name != MainName || st.Files[1].Name != tx1 || st.Files[2].Name != tx2 {
		t.Errorf("files: %+v", st.Files)
	}
	if st.StoredRows() != 5 || st.Bytes() != st.Files[1].Size+st.Files[2].Size || st.BytesPerSample() != float64(st.Bytes())/5 {
		t.Errorf("stored rows %d, bytes %d, bytes per sample %g", st.StoredRows(), st.Bytes(), st.BytesPerSample())
	}

	// An overwrite makes the index count an upper bound.
	commitRows(t, db, row{"a", 2, 7})
	if st := stats(t, db, nil, false); st.Rows != 6 || st.Exact || !st.TimesExact {
		t.Errorf("after an overwrite, from the index: %+v", st)
	}
	if st := stats(t, db, nil, true); st.Keys != 3 || st.Rows != 5 || !st.Exact {
		t.Errorf("after an overwrite, exact: %+v", st)
	}

	// A marker hiding a key whole removes it from both counts.
	_, err := db.Delete(format.Marker{Filter: []byte("c"), HasFilter: true})
	must(t, err)
	if st := stats(t, db, nil, false); st.Keys != 2 || st.Rows != 5 || st.Last != 5 {
		t.Errorf("after deleting c, from the index: %+v", st)
	}
	if st := stats(t, db, &Selector{Filters: [][]byte{[]byte("a")}, Bounds: format.Bounds{AfterTime: 2, HasAfterTime: true}}, true); st.Keys != 1 || st.Rows != 2 || st.First != 2 || st.Last != 3 {
		t.Errorf("a from time 2, exact: %+v", st)
	}
}

func TestSnapshot_Stats_Empty(t *testing.T) {
	db := newDB(t)
	for _, exact := range []bool{false, true} {
		st := stats(t, db, nil, exact)
		if st.Keys != 0 || st.Rows != 0 || st.First != 0 || st.Last != 0 || !st.Exact || !st.TimesExact || st.BytesPerSample() != 0 {
			t.Errorf("exact=%v: %+v", exact, st)
		}
		if len(st.Files) != 1 || st.Files[0].Name != MainName || st.Files[0].Size != 0 {
			t.Errorf("files: %+v", st.Files)
		}
	}
}

// TestSnapshot_Stats_Model: exact statistics equal the model's; those
// from the index have the same keys and bounds that hold, and equal the
// model's when they say they are exact.
func TestSnapshot_Stats_Model(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 5))
		db := newDB(t)
		m := model{}
		for range 8 {
			if r.IntN(3) == 0 {
				mk := randomMarker(r)
				_, err := db.Delete(mk)
				must(t, err)
				m.remove(&mk)
			} else {
				randomTx(t, r, db, m)
			}
			sel := randomSelector(r)
			want := modelStats(m, sel)
			if got := stats(t, db, sel, true); !sameCounts(got, want) {
				t.Fatalf("seed %d, selector %+v: exact stats %+v, want %+v", seed, sel, got, want)
			}
			got := stats(t, db, sel, false)
			if got.Exact && got.Rows != want.Rows || got.TimesExact && want.Rows > 0 && (got.First != want.First || got.Last != want.Last) ||
				got.Keys != want.Keys || got.Rows < want.Rows ||
				want.Rows > 0 && (got.First > want.First || got.Last < want.Last) {
				t.Fatalf("seed %d, selector %+v: index stats %+v, model %+v", seed, sel, got, want)
			}
		}
	}
}

func sameCounts(a, b *Stats) bool {
	return a.Keys == b.Keys && a.Rows == b.Rows && a.First == b.First && a.Last == b.Last
}

func modelStats(m model, sel *Selector) *Stats {
	st := &Stats{}
	for line := range strings.Lines(m.dump(sel)) {
		f := strings.Fields(line)
		ts, _ := strconv.ParseUint(f[1], 10, 64)
		if st.Rows == 0 || ts < st.First {
			st.First = ts
		}
		st.Last = max(st.Last, ts)
		st.Rows++
	}
	st.Keys = len(modelKeysOf(m, sel))
	return st
}

func TestSnapshot_Widest(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"a", 1, 1})
	tx, err := db.Begin()
	must(t, err)
	var b format.Block
	b.Reset([]byte("b"), "uuF")
	b.Times, b.Cols[0].Nums, b.Cols[1].Nums, b.Cols[2].Nums = []uint64{1}, []uint64{1}, []uint64{2}, []uint64{3}
	must(t, tx.Write(&b))
	_, err = tx.Commit()
	must(t, err)
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	for _, tt := range []struct {
		filter string
		want   int
	}{{"%", 3}, {"a", 1}, {"b", 3}, {"x", 0}} {
		if got, err := snap.Widest(&Selector{Filters: [][]byte{[]byte(tt.filter)}}); got != tt.want || err != nil {
			t.Errorf("Widest(%s) = %d, %v; want %d", tt.filter, got, err, tt.want)
		}
	}
}
