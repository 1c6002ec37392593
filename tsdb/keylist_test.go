package tsdb

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// listKeys returns what ListKeys lists, joined by spaces.
func listKeys(t testing.TB, db *DB, sel *Selector, opts KeyListOptions) string {
	t.Helper()
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	var keys []string
	err = snap.ListKeys(sel, opts, func(k []byte) error {
		keys = append(keys, string(k))
		return nil
	})
	must(t, err)
	return strings.Join(keys, " ")
}

func TestSnapshot_ListKeys_Options(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"a", 1, 1}, row{"a.x", 1, 1}, row{"b", 1, 1}, row{"b.x", 1, 1})
	commitRows(t, db, row{"a", 2, 1}, row{"a.y", 1, 1}, row{"c.x", 1, 1})
	all := &Selector{}
	tests := []struct {
		name string
		sel  *Selector
		opts KeyListOptions
		want string
	}{
		{"all", all, KeyListOptions{}, "a a.x a.y b b.x c.x"},
		{"nil selector", nil, KeyListOptions{}, "a a.x a.y b b.x c.x"},
		{"filter", &Selector{Filters: [][]byte{[]byte("%.x")}}, KeyListOptions{}, "a.x b.x c.x"},
		{"prefix", all, KeyListOptions{Prefix: []byte("a.")}, "a.x a.y"},
		{"prefix and filter", &Selector{Filters: [][]byte{[]byte("%x")}}, KeyListOptions{Prefix: []byte("b")}, "b.x"},
		{"suffix", all, KeyListOptions{Suffix: []byte(".x")}, "a.x b.x c.x"},
		{"start after", all, KeyListOptions{StartAfter: []byte("a.y")}, "b b.x c.x"},
		{"start after a missing key", all, KeyListOptions{StartAfter: []byte("a.z")}, "b b.x c.x"},
		{"limit", all, KeyListOptions{Limit: 2}, "a a.x"},
		{"offset", all, KeyListOptions{Offset: 4}, "b.x c.x"},
		{"offset and limit", all, KeyListOptions{Offset: 1, Limit: 2}, "a.x a.y"},
		{"offset past the end", all, KeyListOptions{Offset: 9}, ""},
		{"reverse", all, KeyListOptions{Reverse: true}, "c.x b.x b a.y a.x a"},
		{"reverse start after", all, KeyListOptions{Reverse: true, StartAfter: []byte("b")}, "a.y a.x a"},
		{"reverse paged", all, KeyListOptions{Reverse: true, Offset: 1, Limit: 2, Suffix: []byte("x")}, "b.x a.x"},
		{"key bounds", &Selector{Bounds: format.Bounds{AfterKey: []byte("a.x"), HasAfterKey: true, BeforeKey: []byte("b.x"), HasBeforeKey: true}},
			KeyListOptions{}, "a.x a.y b"},
		{"time bounds", &Selector{Bounds: format.Bounds{AfterTime: 2, HasAfterTime: true}}, KeyListOptions{}, "a"},
		{"empty filter", &Selector{Filters: [][]byte{{}}}, KeyListOptions{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listKeys(t, db, tt.sel, tt.opts); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSnapshot_ListKeys_Markers: a key whose every row a marker hides is
// not listed; one with a row left is.
func TestSnapshot_ListKeys_Markers(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"gone", 1, 1}, row{"part", 1, 1}, row{"part", 5, 1}, row{"timed", 3, 1}, row{"timed", 4, 1})
	_, err := db.Delete(
		format.Marker{Filter: []byte("gone"), HasFilter: true},
		format.Marker{Filter: []byte("part"), HasFilter: true, Bounds: format.Bounds{BeforeTime: 3, HasBeforeTime: true}},
		format.Marker{Filter: []byte("timed"), HasFilter: true, Bounds: format.Bounds{AfterTime: 2, HasAfterTime: true, BeforeTime: 9, HasBeforeTime: true}},
	)
	must(t, err)
	if got := listKeys(t, db, nil, KeyListOptions{}); got != "part" {
		t.Errorf("got %q, want part", got)
	}
	// Rows added after a marker are visible again.
	commitRows(t, db, row{"gone", 1, 2})
	if got := listKeys(t, db, nil, KeyListOptions{}); got != "gone part" {
		t.Errorf("after a new row: got %q, want %q", got, "gone part")
	}
	// A block straddling the time bounds is decoded: no row of "part" in [2, 5).
	sel := &Selector{Bounds: format.Bounds{AfterTime: 2, HasAfterTime: true, BeforeTime: 5, HasBeforeTime: true}}
	if got := listKeys(t, db, sel, KeyListOptions{}); got != "" {
		t.Errorf("within [2, 5): got %q, want nothing", got)
	}
}

func TestIndexVisibility(t *testing.T) {
	f0, f1 := &segFile{rank: 0}, &segFile{rank: 1}
	ref := func(f *segFile, lo, hi uint64) blockRef {
		return blockRef{file: f, entry: segment.IndexEntry{MinTS: lo, MaxTS: hi, Rows: 2}}
	}
	mk := func(rank int, lo, hi uint64) *marker { return &marker{rank: rank, tlo: lo, thi: hi} }
	const all = ^uint64(0)
	tests := []struct {
		name     string
		refs     []blockRef
		markers  []*marker
		tlo, thi uint64
		want     visibility
	}{
		{"plain", []blockRef{ref(f0, 1, 5)}, nil, 0, all, surelyVisible},
		{"first row in bounds", []blockRef{ref(f0, 3, 9)}, nil, 2, 5, surelyVisible},
		{"last row in bounds", []blockRef{ref(f0, 1, 4)}, nil, 2, 5, surelyVisible},
		{"straddles the bounds", []blockRef{ref(f0, 1, 9)}, nil, 2, 5, unknownVisibility},
		{"covered by a newer marker", []blockRef{ref(f0, 1, 5)}, []*marker{mk(1, 0, all)}, 0, all, surelyHidden},
		{"older marker", []blockRef{ref(f1, 1, 5)}, []*marker{mk(0, 0, all)}, 0, all, surelyVisible},
		{"time-bounded marker", []blockRef{ref(f0, 1, 5)}, []*marker{mk(1, 2, 3)}, 0, all, unknownVisibility},
		{"marker covering the bounded span", []blockRef{ref(f0, 1, 9)}, []*marker{mk(1, 2, 5)}, 2, 5, surelyHidden},
		{"marker outside the span", []blockRef{ref(f0, 1, 5)}, []*marker{mk(1, 6, 9)}, 0, all, surelyVisible},
		{"one block left", []blockRef{ref(f0, 1, 5), ref(f1, 7, 9)}, []*marker{mk(1, 0, all)}, 0, all, surelyVisible},
	}
	for _, tt := range tests {
		u := &keyUnit{key: []byte("k"), refs: tt.refs, markers: tt.markers}
		if got := indexVisibility(u, tt.tlo, tt.thi); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestSnapshot_ListKeys_StopsOnError(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"a", 1, 1}, row{"b", 1, 1})
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	stop := errors.New("stop")
	n := 0
	err = snap.ListKeys(nil, KeyListOptions{}, func([]byte) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("got %v after %d keys, want stop after 1", err, n)
	}
}

// TestSnapshot_ListKeys_ReverseChunks lists backwards across chunk
// boundaries, with keys hidden on both sides of them.
func TestSnapshot_ListKeys_ReverseChunks(t *testing.T) {
	defer func(n int) { reverseChunk = n }(reverseChunk)
	reverseChunk = 3
	db := newDB(t)
	var rows []row
	var want []string
	for i := range 20 {
		k := fmt.Sprintf("k%02d", i)
		rows = append(rows, row{k, 1, 1})
		if i%4 != 1 {
			want = append(want, k)
		}
	}
	commitRows(t, db, rows...)
	for i := 1; i < 20; i += 4 {
		_, err := db.Delete(format.Marker{Filter: fmt.Appendf(nil, "k%02d", i), HasFilter: true})
		must(t, err)
	}
	slices.Reverse(want)
	for _, opts := range []KeyListOptions{{}, {Limit: 5}, {Offset: 4, Limit: 7}, {StartAfter: []byte("k10")}} {
		opts.Reverse = true
		got := listKeys(t, db, nil, opts)
		if w := strings.Join(modelPage(want, opts, true), " "); got != w {
			t.Errorf("%+v: got %q, want %q", opts, got, w)
		}
	}
}

// modelPage applies the paging options to the sorted keys (descending
// when reverse).
func modelPage(keys []string, opts KeyListOptions, reverse bool) []string {
	var out []string
	for _, k := range keys {
		if !strings.HasPrefix(k, string(opts.Prefix)) || !strings.HasSuffix(k, string(opts.Suffix)) {
			continue
		}
		if len(opts.StartAfter) > 0 && (!reverse && k <= string(opts.StartAfter) || reverse && k >= string(opts.StartAfter)) {
			continue
		}
		out = append(out, k)
	}
	out = out[min(opts.Offset, len(out)):]
	if opts.Limit > 0 && len(out) > opts.Limit {
		out = out[:opts.Limit]
	}
	return out
}

// modelKeysOf lists the keys with a selected row in the model.
func modelKeysOf(m model, sel *Selector) []string {
	var keys []string
	for line := range strings.Lines(m.dump(sel)) {
		k, _, _ := strings.Cut(line, " ")
		if len(keys) == 0 || keys[len(keys)-1] != k {
			keys = append(keys, k)
		}
	}
	return keys
}

func randomKeyListOptions(r *rand.Rand) KeyListOptions {
	var o KeyListOptions
	pick := func() []byte { return []byte(modelKeys[r.IntN(len(modelKeys))]) }
	if r.IntN(3) == 0 {
		o.Prefix = pick()[:1]
	}
	if r.IntN(4) == 0 {
		o.Suffix = []byte{"abc"[r.IntN(3)]}
	}
	if r.IntN(3) == 0 {
		o.StartAfter = pick()
	}
	if r.IntN(3) == 0 {
		o.Offset = r.IntN(4)
	}
	if r.IntN(3) == 0 {
		o.Limit = 1 + r.IntN(4)
	}
	o.Reverse = r.IntN(2) == 0
	return o
}

// TestSnapshot_ListKeys_Model compares listings of random databases with
// transactions, overwrites and delete markers with the model.
func TestSnapshot_ListKeys_Model(t *testing.T) {
	defer func(n int) { reverseChunk = n }(reverseChunk)
	reverseChunk = 2
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 4))
		db := newDB(t)
		m := model{}
		for step := range 10 {
			if r.IntN(3) == 0 {
				mk := randomMarker(r)
				_, err := db.Delete(mk)
				must(t, err)
				m.remove(&mk)
			} else {
				randomTx(t, r, db, m)
			}
			for range 4 {
				sel, opts := randomSelector(r), randomKeyListOptions(r)
				keys := modelKeysOf(m, sel)
				if opts.Reverse {
					slices.Reverse(keys)
				}
				want := strings.Join(modelPage(keys, opts, opts.Reverse), " ")
				if got := listKeys(t, db, sel, opts); got != want {
					t.Fatalf("seed %d step %d, selector %+v, options %+v: got %q, want %q", seed, step, sel, opts, got, want)
				}
			}
		}
	}
}

// oneRowKeys builds a database of n keys with one row each, written as
// one-row blocks of one transaction.
func oneRowKeys(b *testing.B, n int) *DB {
	b.Helper()
	db := newDB(b)
	tx, err := db.Begin()
	must(b, err)
	var blk format.Block
	key := []byte("sensor.")
	for i := range n {
		blk.Reset(fmt.Appendf(key[:7], "%08d", i), "u")
		blk.Times = append(blk.Times, 1577836800000000000)
		blk.Cols[0].Nums = append(blk.Cols[0].Nums, uint64(i))
		must(b, tx.Write(&blk))
	}
	_, err = tx.Commit()
	must(b, err)
	return db
}

func benchmarkListKeys(b *testing.B, opts KeyListOptions) {
	const n = 1000000
	db := oneRowKeys(b, n)
	snap, err := db.Snapshot()
	must(b, err)
	defer snap.Close()
	b.ReportAllocs()
	for b.Loop() {
		count := 0
		err := snap.ListKeys(nil, opts, func(k []byte) error {
			count++
			return nil
		})
		if err != nil || count != n {
			b.Fatalf("listed %d keys: %v", count, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/key")
}

// BenchmarkListKeys lists a million keys, the "under a second".
func BenchmarkListKeys(b *testing.B) {
	b.Run("keys=1000000", func(b *testing.B) { benchmarkListKeys(b, KeyListOptions{}) })
}

func BenchmarkListKeysReverse(b *testing.B) {
	b.Run("keys=1000000", func(b *testing.B) { benchmarkListKeys(b, KeyListOptions{Reverse: true}) })
}
