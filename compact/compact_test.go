package compact

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

func TestRun_RefusesWhenDiskFull(t *testing.T) {
	m := memfs.New(memfs.Options{Free: 10})
	m.WriteFile(tsdb.MainName, nil)
	db, err := tsdb.Open("mem", &tsdb.Options{FS: m, MinFree: -1})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := db.AddText(strings.NewReader("a 1 1\nb 2 2\n"), text.Options{Format: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	before, names := readDB(t, db), m.Names()
	if _, err := Run(context.Background(), db, Options{Major: true}); !errors.Is(err, tsdb.ErrDiskFull) {
		t.Fatalf("Run on a full disk: %v, want ErrDiskFull", err)
	}
	if readDB(t, db) != before || !slices.Equal(m.Names(), names) {
		t.Fatalf("a refused compaction changed the database: %v", m.Names())
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
