package tsdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// Tests of databases in local directories (vfs.Dir) through the engine.

// TestMmap_TruncatedUnderReader: a mapped file cut short under a reader
// (someone truncated it; an sshfs server went away) raises SIGBUS on
// access; the reader must get an error, not crash.
func TestMmap_TruncatedUnderReader(t *testing.T) {
	db := newDB(t)
	var rows strings.Builder
	for i := range 20000 {
		rows.WriteString("k " + itoa(i+1) + " " + itoa(i*7919%1000003) + "\n")
	}
	_, name, err := db.AddText(strings.NewReader(rows.String()), text.Options{Format: "u"})
	must(t, err)
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	must(t, os.Truncate(filepath.Join(db.Dir(), name), 0))
	err = snap.Scan(&Selector{}, func(*format.Block, int, int) error { return nil })
	if err == nil {
		t.Fatal("reading a truncated mapped file succeeded")
	}
	// Every mapped page now lies past the end of the file: the access
	// faults, and the fault must come back as an error naming the file.
	if !strings.Contains(err.Error(), "memory fault") || !strings.Contains(err.Error(), name) {
		t.Fatalf("want a memory fault naming %s, got: %v", name, err)
	}
}

// TestNoMmap_SameRows reads through pread and through mmap.
func TestNoMmap_SameRows(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"a", 1, 1}, row{"b", 2, 2})
	commitRows(t, db, row{"a", 1, 10})
	plain, err := Open(db.Dir(), &Options{NoMmap: true})
	must(t, err)
	if got, want := dump(t, plain, &Selector{}), dump(t, db, &Selector{}); got != want || want == "" {
		t.Fatalf("pread read %q, mmap %q", got, want)
	}
}

func itoa(i int) string { return string(timefmt.AppendNanos(nil, uint64(i))) }
