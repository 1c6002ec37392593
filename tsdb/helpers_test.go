package tsdb

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
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
	name, err := commitU(db, rows...)
	must(t, err)
	return name
}

// commitU commits rows (sorted) as one transaction, from any goroutine.
func commitU(db *DB, rows ...row) (string, error) {
	tx, err := db.Begin()
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if err := tx.Write(uBlock(r)); err != nil {
			tx.Rollback()
			return "", err
		}
	}
	return tx.Commit()
}

// uBlock is a block of one u row.
func uBlock(r row) *format.Block {
	b := &format.Block{}
	b.Reset([]byte(r.key), "u")
	b.Times, b.Cols[0].Nums = append(b.Times, r.ts), append(b.Cols[0].Nums, r.val)
	return b
}

// segmentBytes is a data file that includes the named files and holds
// rows (sorted): a compaction output, or a main.
func segmentBytes(t testing.TB, o segment.Options, rows ...row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := segment.NewWriter(&buf, o)
	for _, r := range rows {
		must(t, w.WriteBlock(uBlock(r)))
	}
	must(t, w.Close())
	return buf.Bytes()
}

// dump reads the selection as "key ts format val" lines.
func dump(t testing.TB, db *DB, sel *Selector) string {
	t.Helper()
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	var out []byte
	must(t, snap.Scan(sel, func(b *format.Block, from, to int) error {
		out = appendU(out, b, from, to)
		return nil
	}))
	return string(out)
}

// appendU renders one-column rows as dump does.
func appendU(dst []byte, b *format.Block, from, to int) []byte {
	for i := from; i < to; i++ {
		dst = fmt.Appendf(dst, "%s %d %s %d\n", b.Key, b.Times[i], b.Format, b.Cols[0].Nums[i])
	}
	return dst
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

// dataFiles lists the directory without its lock files.
func dataFiles(t testing.TB, db *DB) []string {
	t.Helper()
	return slices.DeleteFunc(listDir(t, db), func(n string) bool { return strings.HasPrefix(n, ".") })
}

func writeFile(t testing.TB, db *DB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(db.Dir(), name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// included names files of db's directory with their IDs, for the
// included list of a hand-made compaction output.
func included(t testing.TB, db *DB, names ...string) []segment.Included {
	t.Helper()
	var out []segment.Included
	for _, n := range names {
		f, err := openFile(db.fs, n, "")
		must(t, err)
		out = append(out, segment.Included{Name: n, ID: f.id()})
		f.rf.Close()
	}
	return out
}

// memCopy copies db's directory into an in-memory store: damaged
// variants of it are made there without touching the directory.
func memCopy(t testing.TB, db *DB) *memfs.FS {
	t.Helper()
	m := memfs.New(memfs.Options{})
	entries, err := os.ReadDir(db.Dir())
	must(t, err)
	for _, e := range entries {
		if e.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join(db.Dir(), e.Name()))
			must(t, err)
			m.WriteFile(e.Name(), data)
		}
	}
	return m
}

// openMem opens a database on an in-memory store.
func openMem(t testing.TB, m *memfs.FS, o Options) *DB {
	t.Helper()
	o.FS = m
	db, err := Open("mem", &o)
	must(t, err)
	return db
}

// newMemDB is an empty database on a new in-memory store.
func newMemDB(t testing.TB, o memfs.Options) (*DB, *memfs.FS) {
	t.Helper()
	m := memfs.New(o)
	must(t, InitFS(m))
	return openMem(t, m, Options{}), m
}
