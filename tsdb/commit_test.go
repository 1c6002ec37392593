package tsdb

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// TestCommit_ConcurrentWritersOrder checks that a commit that finished
// before another started always has the smaller name, whichever goroutine
// made it, so that name order is commit order.
func TestCommit_ConcurrentWritersOrder(t *testing.T) {
	db := newDB(t)
	type commit struct {
		name       string
		start, end int64
	}
	var clock atomic.Int64
	var mu sync.Mutex
	var commits []commit
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				start := clock.Add(1)
				name := commitRows(t, db, row{"k", uint64(i), uint64(w)})
				end := clock.Add(1)
				mu.Lock()
				commits = append(commits, commit{name, start, end})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, a := range commits {
		if seen[a.name] {
			t.Fatalf("name %s used twice", a.name)
		}
		seen[a.name] = true
		for _, b := range commits {
			if a.end < b.start && a.name >= b.name {
				t.Fatalf("%s finished before %s started but sorts after it", a.name, b.name)
			}
		}
	}
}

// TestCommit_AboveMainHighWater checks that a new transaction takes a
// position above main's high-water mark, or above every name of a
// version 1 main's included list: a position main holds is never reused.
func TestCommit_AboveMainHighWater(t *testing.T) {
	for _, tt := range []struct {
		name string
		main segment.Options
		want string
	}{
		{"high-water mark", segment.Options{HighWater: 1 << 40}, txName(1<<40 + 1)},
		{"version 1 included list", segment.Options{Version: 1, Included: []segment.Included{{Name: txName(1 << 62)}}}, txName(1<<62 + 1)},
		{"empty main", segment.Options{}, txName(1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			writeFile(t, db, MainName, segmentBytes(t, tt.main))
			if name := commitRows(t, db, row{"k", 1, 1}); name != tt.want {
				t.Fatalf("new transaction %s, want %s", name, tt.want)
			}
			if got := dump(t, db, &Selector{}); got != "k 1 u 1\n" {
				t.Fatalf("read %q", got)
			}
		})
	}
}

// TestCommit_NamesFollowListing: positions are 1 + the highest listed,
// outputs included, whatever the clock.
func TestCommit_NamesFollowListing(t *testing.T) {
	db := newDB(t)
	if name := commitRows(t, db, row{"a", 1, 1}); name != txName(1) {
		t.Fatalf("first transaction %s", name)
	}
	writeFile(t, db, outputName(7, 1), segmentBytes(t, segment.Options{}))
	if name := commitRows(t, db, row{"a", 2, 1}); name != txName(8) {
		t.Fatalf("after an output at 7: %s", name)
	}
}

func TestCommit_EmptyPublishesNothing(t *testing.T) {
	db := newDB(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if name, err := tx.Commit(); err != nil || name != "" {
		t.Fatalf("Commit() = %q, %v", name, err)
	}
	if got := listDir(t, db); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("directory holds %q", got)
	}
}

func TestCommit_RemovesStaleTemps(t *testing.T) {
	db := newDB(t)
	writeFile(t, db, "tx-crashed.tmp", []byte("half"))
	writeFile(t, db, "tx-young.tmp", []byte("half"))
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(db.Dir(), "tx-crashed.tmp"), old, old); err != nil {
		t.Fatal(err)
	}
	commitRows(t, db, row{"k", 1, 1})
	var temps []string
	for _, n := range listDir(t, db) {
		if strings.HasSuffix(n, ".tmp") {
			temps = append(temps, n)
		}
	}
	if !slices.Equal(temps, []string{"tx-young.tmp"}) {
		t.Fatalf("temporary files left: %q, want only the young one", temps)
	}
}

func TestCommit_RollbackLeavesNothing(t *testing.T) {
	db := newDB(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var b format.Block
	b.Reset([]byte("b"), "u")
	b.Times, b.Cols[0].Nums = []uint64{1}, []uint64{1}
	if err := tx.Write(&b); err != nil {
		t.Fatal(err)
	}
	b.Reset([]byte("a"), "u")
	b.Times, b.Cols[0].Nums = []uint64{1}, []uint64{1}
	if err := tx.Write(&b); err == nil {
		t.Fatal("out-of-order write accepted")
	}
	if _, err := tx.Commit(); err == nil {
		t.Fatal("commit after a failed write succeeded")
	}
	if got := listDir(t, db); !slices.Equal(got, []string{"main"}) {
		t.Fatalf("directory holds %q", got)
	}
}
