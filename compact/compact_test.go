package compact

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// fullFS reports a nearly full file system.
type fullFS struct{ tsdb.FS }

func (fullFS) Free() (uint64, error) { return 10, nil }

func TestRun_RefusesWhenDiskFull(t *testing.T) {
	db := newDB(t)
	for range 2 {
		if _, _, err := db.AddText(strings.NewReader("a 1 1\nb 2 2\n"), text.Options{Format: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	before := readDB(t, db)
	full, err := tsdb.Open(db.Dir(), &tsdb.Options{FS: fullFS{tsdb.DirFS(db.Dir(), false)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), full, Options{Major: true}); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Run on a full disk: %v, want ErrNoSpace", err)
	}
	if readDB(t, db) != before || len(dirNames(t, db)) != 3 {
		t.Fatalf("a refused compaction changed the database: %v", dirNames(t, db))
	}
}

func TestRun_Cancelled(t *testing.T) {
	db := newDB(t)
	for range 3 {
		if _, _, err := db.AddText(strings.NewReader("a 1 1\nb 2 2\n"), text.Options{Format: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	before := dirNames(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, o := range []Options{{Major: true}, {Major: true, Gegnum: "cat"}} {
		if _, err := Run(ctx, db, o); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Run %+v: %v", o, err)
		}
		if got := dirNames(t, db); strings.Join(got, " ") != strings.Join(before, " ") {
			t.Fatalf("cancelled Run left %v, had %v", got, before)
		}
	}
}

func TestRun_NothingToDo(t *testing.T) {
	db := newDB(t)
	for _, o := range []Options{{}, {Major: true}} {
		res, err := Run(context.Background(), db, o)
		if err != nil || res.Output != "" {
			t.Fatalf("Run %+v on an empty database: %+v, %v", o, res, err)
		}
	}
}

// dirNames lists the database's files but the lock files.
func dirNames(t testing.TB, db *tsdb.DB) []string {
	t.Helper()
	entries, err := os.ReadDir(db.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}
