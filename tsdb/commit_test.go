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

// TestCommit_AboveMainIncluded checks that a new transaction is named
// above every name main includes, even if the clock is behind them: an
// included name must never be reused.
func TestCommit_AboveMainIncluded(t *testing.T) {
	db := newDB(t)
	future := txName(1 << 62)
	writeFile(t, db, MainName, segmentBytes(t, []string{future}))
	name := commitRows(t, db, row{"k", 1, 1})
	if name <= future {
		t.Fatalf("new transaction %s is not above included %s", name, future)
	}
	if got := dump(t, db, &Selector{}); got != "k 1 u 1\n" {
		t.Fatalf("read %q", got)
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
