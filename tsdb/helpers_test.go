package tsdb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// newDB creates an empty database in a temporary directory.
func newDB(t testing.TB) *DB {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := Init(dir); err != nil {
		t.Fatal(err)
	}
	db, err := Open(dir, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// row is a one-column u row for tests.
type row struct {
	key string
	ts  uint64
	val uint64
}

// commitRows commits rows (sorted) as one transaction.
func commitRows(t testing.TB, db *DB, rows ...row) string {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var b format.Block
	for _, r := range rows {
		b.Reset([]byte(r.key), "u")
		b.Times = append(b.Times, r.ts)
		b.Cols[0].Nums = append(b.Cols[0].Nums, r.val)
		if err := tx.Write(&b); err != nil {
			t.Fatal(err)
		}
	}
	name, err := tx.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// dump reads the selection as "key ts format val" lines.
func dump(t testing.TB, db *DB, sel *Selector) string {
	t.Helper()
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var sb strings.Builder
	err = snap.Scan(sel, func(b *format.Block, from, to int) error {
		for i := from; i < to; i++ {
			fmt.Fprintf(&sb, "%s %d %s %d\n", b.Key, b.Times[i], b.Format, b.Cols[0].Nums[i])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func listDir(t testing.TB, db *DB) []string {
	t.Helper()
	entries, err := os.ReadDir(db.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func writeFile(t testing.TB, db *DB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(db.Dir(), name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
