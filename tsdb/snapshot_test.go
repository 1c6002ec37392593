package tsdb

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSnapshot_RelistsWhenCompacted: a minor compaction replaces tx2 by an
// output that includes tx1 and removes tx1 just as the snapshot opens tx1;
// the snapshot lists again and sees the same rows once.
func TestSnapshot_RelistsWhenCompacted(t *testing.T) {
	db := newDB(t)
	tx1 := commitRows(t, db, row{"a", 1, 10})
	tx2 := commitRows(t, db, row{"a", 2, 20})
	want := dump(t, db, &Selector{})
	writeFile(t, db, "out.tmp", segmentBytes(t, []string{tx1}, row{"a", 1, 10}, row{"a", 2, 20}))

	// The compaction finishes as the snapshot opens its first file.
	rfs := &hookFS{FS: DirFS(db.Dir(), false)}
	rfs.hook = func() {
		must(t, os.Rename(filepath.Join(db.Dir(), "out.tmp"), filepath.Join(db.Dir(), tx2)))
		must(t, os.Remove(filepath.Join(db.Dir(), tx1)))
	}
	racing, err := Open(db.Dir(), &Options{FS: rfs})
	must(t, err)
	if got := dump(t, racing, &Selector{}); got != want {
		t.Fatalf("after a racing compaction read\n%s\nwant\n%s", got, want)
	}
}

// TestSnapshot_IgnoresIncluded: a leftover transaction that main already
// includes is not read twice (nor resurrected after a delete).
func TestSnapshot_IgnoresIncluded(t *testing.T) {
	db := newDB(t)
	tx1 := commitRows(t, db, row{"a", 1, 10})
	// A main that includes tx1 and holds no rows: tx1's rows were deleted.
	writeFile(t, db, MainName, segmentBytes(t, []string{tx1}))
	if got := dump(t, db, &Selector{}); got != "" {
		t.Fatalf("included leftover was read: %q", got)
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
