package tsdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// copyFixture copies a database of testdata/ (made by testdata/gen) into
// a temporary directory.
func copyFixture(t *testing.T, name string) *DB {
	t.Helper()
	src := filepath.Join("..", "testdata", name)
	dir := filepath.Join(t.TempDir(), name)
	must(t, os.MkdirAll(dir, 0o755))
	entries, err := os.ReadDir(src)
	must(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	db, err := Open(dir, &Options{NoSync: true})
	must(t, err)
	return db
}

// TestFixtures_Version1Database: a database written before the storage
// seam (version 1 files, names from the clock, an included list of names
// only, a minor output renamed over the newest file it merged, a delete
// marker) reads as it did, takes new transactions after its names, and
// compacts into a version 2 main that holds the same rows.
func TestFixtures_Version1Database(t *testing.T) {
	db := copyFixture(t, "v1db")
	want := strings.Join([]string{
		"alpha 1 u 1", "alpha 2 u 20", "beta 1 u 10", "beta 2 u 21", "beta 3 u 31", "delta 1 u 30", "epsilon 1 u 40", "",
	}, "\n")
	if got := dump(t, db, nil); got != want {
		t.Fatalf("the version 1 database reads\n%s\nwant\n%s", got, want)
	}
	name := commitRows(t, db, row{"zeta", 1, 1})
	if name != "tx.18f0a1b2c3d40006" {
		t.Fatalf("a new transaction is named %s, want the position after the legacy names", name)
	}
	want += "zeta 1 u 1\n"
	for _, major := range []bool{false, true} {
		c, err := db.BeginCompaction(CompactionOptions{Major: major})
		must(t, err)
		must(t, c.Snapshot().Scan(nil, func(b *format.Block, from, to int) error { return writeRun(c, b, from, to) }))
		_, err = c.Publish()
		must(t, err)
		if got := dump(t, db, nil); got != want {
			t.Fatalf("after a compaction (major %v) the database reads\n%s\nwant\n%s", major, got, want)
		}
	}
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	if v := snap.main.seg.Version(); v != segment.Version || len(snap.files) != 0 {
		t.Fatalf("after a major compaction: main version %d, %d other files", v, len(snap.files))
	}
	rep, err := db.Check()
	must(t, err)
	if !rep.Healthy() || len(rep.Problems) != 0 {
		t.Fatalf("check: %v", rep.Problems)
	}
}

// writeRun writes rows [from, to) of b to a compaction's output.
func writeRun(c *Compaction, b *format.Block, from, to int) error {
	var sub format.Block
	sub.Reset(b.Key, b.Format)
	sub.AppendRows(b, from, to)
	return c.Write(&sub)
}
