package tsdb

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// model is the expected content of a database: key -> ts -> row.
type model map[string]map[uint64]mrow

type mrow struct {
	format format.Format
	val    uint64
}

func (m model) add(key string, ts uint64, r mrow) {
	if m[key] == nil {
		m[key] = map[uint64]mrow{}
	}
	m[key][ts] = r
}

// remove applies a delete marker to the model, by the naive key rules
// of modelSelectsKey.
func (m model) remove(mk *format.Marker) {
	keys := Selector{Bounds: format.Bounds{AfterKey: mk.AfterKey, HasAfterKey: mk.HasAfterKey, BeforeKey: mk.BeforeKey, HasBeforeKey: mk.HasBeforeKey}}
	if mk.HasFilter {
		keys.Filters = [][]byte{mk.Filter}
	}
	for key, rows := range m {
		if !modelSelectsKey(&keys, key) {
			continue
		}
		for ts := range rows {
			if (!mk.HasAfterTime || ts >= mk.AfterTime) && (!mk.HasBeforeTime || ts < mk.BeforeTime) {
				delete(rows, ts)
			}
		}
	}
}

// dump renders the model's rows that sel selects, as dump does.
func (m model) dump(sel *Selector) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		if !modelSelectsKey(sel, k) {
			continue
		}
		var tss []uint64
		for ts := range m[k] {
			if (!sel.HasAfterTime || ts >= sel.AfterTime) && (!sel.HasBeforeTime || ts < sel.BeforeTime) {
				tss = append(tss, ts)
			}
		}
		slices.Sort(tss)
		for _, ts := range tss {
			r := m[k][ts]
			fmt.Fprintf(&sb, "%s %d %s %d\n", k, ts, r.format, r.val)
		}
	}
	return sb.String()
}

// modelSelectsKey is a deliberately naive statement of the key rules.
func modelSelectsKey(sel *Selector, k string) bool {
	if sel.HasAfterKey && k < string(sel.AfterKey) || sel.HasBeforeKey && k >= string(sel.BeforeKey) {
		return false
	}
	if sel.Filters == nil {
		return true
	}
	for _, f := range sel.Filters {
		if naiveMatch(string(f), k) {
			return true
		}
	}
	return false
}

// naiveMatch matches % patterns by recursion.
func naiveMatch(p, k string) bool {
	if p == "" {
		return k == ""
	}
	if p[0] == '%' {
		for i := 0; i <= len(k); i++ {
			if naiveMatch(p[1:], k[i:]) {
				return true
			}
		}
		return false
	}
	return k != "" && k[0] == p[0] && naiveMatch(p[1:], k[1:])
}

var modelKeys = []string{"a", "a%b", "ab", "abc", "b", "b_c", "ba", "c"}

func randomSelector(r *rand.Rand) *Selector {
	sel := &Selector{}
	switch r.IntN(4) {
	case 0: // everything
	case 1:
		pats := []string{"a%", "%b", "a%b", "%c%", "ab", "", "%", "b_c", "x"}
		for range 1 + r.IntN(3) {
			sel.Filters = append(sel.Filters, []byte(pats[r.IntN(len(pats))]))
		}
	default:
		if r.IntN(2) == 0 {
			sel.AfterKey, sel.HasAfterKey = []byte(modelKeys[r.IntN(len(modelKeys))]), true
		}
		if r.IntN(2) == 0 {
			sel.BeforeKey, sel.HasBeforeKey = []byte(modelKeys[r.IntN(len(modelKeys))]), true
		}
	}
	if r.IntN(3) == 0 {
		sel.AfterTime, sel.HasAfterTime = r.Uint64N(40), true
	}
	if r.IntN(3) == 0 {
		sel.BeforeTime, sel.HasBeforeTime = r.Uint64N(40), true
	}
	return sel
}

func randomMarker(r *rand.Rand) format.Marker {
	sel := randomSelector(r)
	m := format.Marker{Bounds: sel.Bounds}
	if len(sel.Filters) > 0 {
		m.Filter, m.HasFilter = sel.Filters[0], true
	}
	return m
}

// randomTx commits random sorted rows to db and the model.
func randomTx(t testing.TB, r *rand.Rand, db *DB, m model) {
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	f := format.Format([]string{"u", "U"}[r.IntN(2)])
	var b format.Block
	for _, k := range modelKeys {
		if r.IntN(3) != 0 {
			continue
		}
		b.Reset([]byte(k), f)
		for ts := r.Uint64N(5); ts < 40; ts += 1 + r.Uint64N(8) {
			v := r.Uint64N(1000)
			b.Times = append(b.Times, ts)
			b.Cols[0].Nums = append(b.Cols[0].Nums, v)
			m.add(k, ts, mrow{f, v})
		}
		if err := tx.Write(&b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshot_Model(t *testing.T) {
	for seed := range uint64(60) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 2))
			db := newDB(t)
			m := model{}
			for step := range 12 {
				if r.IntN(4) == 0 {
					mk := randomMarker(r)
					if _, err := db.Delete(mk); err != nil {
						t.Fatal(err)
					}
					m.remove(&mk)
				} else {
					randomTx(t, r, db, m)
				}
				for range 3 {
					sel := randomSelector(r)
					if got, want := dump(t, db, sel), m.dump(sel); got != want {
						t.Fatalf("step %d, selector %+v:\ngot\n%s\nwant\n%s", step, sel, got, want)
					}
					checkParallel(t, db, sel)
				}
			}
		})
	}
}

// checkParallel compares ScanAppend on several workers with Scan.
func checkParallel(t *testing.T, db *DB, sel *Selector) {
	t.Helper()
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var out bytes.Buffer
	err = snap.ScanAppend(sel, 3, appendU, func(b []byte) error { out.Write(b); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := dump(t, db, sel); out.String() != want {
		t.Fatalf("parallel scan differs:\n%s\nwant\n%s", out.String(), want)
	}
}
