package tsdb

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

// TestSnapshot_RelistsWhenCompacted: a minor compaction publishes an
// output that includes tx1 and tx2 and removes them just as the snapshot
// opens tx1, after it listed: the output is not in its listing, so the
// vanishing is unexplained; the snapshot lists again and sees the same
// rows once.
func TestSnapshot_RelistsWhenCompacted(t *testing.T) {
	db, m := newMemDB(t, memfs.Options{})
	tx1 := commitRows(t, db, row{"a", 1, 10})
	tx2 := commitRows(t, db, row{"a", 2, 20})
	want := dump(t, db, &Selector{})
	out := segmentBytes(t, segment.Options{Included: included(t, db, tx1, tx2)}, row{"a", 1, 10}, row{"a", 2, 20})
	m.SetHook(func(op, name string) {
		if op == "open" && name == tx1 {
			m.SetHook(nil)
			m.WriteFile(outputName(2, 1), out)
			must(t, m.Remove(tx1, tx2))
		}
	})
	if got := dump(t, db, &Selector{}); got != want {
		t.Fatalf("after a racing compaction read\n%s\nwant\n%s", got, want)
	}
}

// TestSnapshot_IgnoresIncluded: a leftover transaction that main already
// includes is not read twice (nor resurrected after a delete), but a file
// of the same name and another ID (a writer with a stale listing reused
// the name) is read.
func TestSnapshot_IgnoresIncluded(t *testing.T) {
	db := newDB(t)
	tx1 := commitRows(t, db, row{"a", 1, 10})
	// A main that includes tx1 and holds no rows: tx1's rows were deleted.
	writeFile(t, db, MainName, segmentBytes(t, segment.Options{Included: included(t, db, tx1)}))
	if got := dump(t, db, &Selector{}); got != "" {
		t.Fatalf("included leftover was read: %q", got)
	}
	writeFile(t, db, MainName, segmentBytes(t, segment.Options{Included: []segment.Included{{Name: tx1, ID: segment.NewID()}}}))
	if got := dump(t, db, &Selector{}); got != "a 1 u 10\n" {
		t.Fatalf("a file of an included name and another ID was not read: %q", got)
	}
}

// TestSnapshot_IgnoresLateOutput: an output planned on an older main that
// the newest main does not include is not read, and its inputs are.
func TestSnapshot_IgnoresLateOutput(t *testing.T) {
	db := newDB(t)
	tx1 := commitRows(t, db, row{"a", 1, 10})
	inc := included(t, db, tx1)
	writeFile(t, db, MainName, segmentBytes(t, segment.Options{Generation: 3}))
	writeFile(t, db, outputName(1, 1), segmentBytes(t, segment.Options{Generation: 2, Included: inc}, row{"a", 1, 99}))
	if got := dump(t, db, &Selector{}); got != "a 1 u 10\n" {
		t.Fatalf("read %q, want tx1's row, not the late output's", got)
	}
	writeFile(t, db, outputName(1, 1), segmentBytes(t, segment.Options{Generation: 3, Included: inc}, row{"a", 1, 99}))
	if got := dump(t, db, &Selector{}); got != "a 1 u 99\n" {
		t.Fatalf("read %q, want the output planned on the newest main", got)
	}
}

func TestOpen_Errors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing"), nil); !isNotDatabase(err) {
		t.Errorf("missing directory: %v", err)
	}
	if _, err := Open(dir, nil); !isNotDatabase(err) {
		t.Errorf("directory without main: %v", err)
	}
	must(t, os.WriteFile(filepath.Join(dir, "other"), nil, 0o644))
	if err := Init(dir); !isNotDatabase(err) {
		t.Errorf("init of a non-empty directory: %v", err)
	}
}

func isNotDatabase(err error) bool { return errors.Is(err, ErrNotDatabase) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
