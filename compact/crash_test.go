package compact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

// step is one command of a crash workload.
type step struct {
	name string
	run  func(db *tsdb.DB) error
}

func addStep(rows string) step {
	return step{"add", func(db *tsdb.DB) error {
		_, _, err := db.AddText(strings.NewReader(rows), text.Options{Format: "u", Workers: 1})
		return err
	}}
}

func compactStep(o Options) step {
	return step{fmt.Sprintf("compact %+v", o), func(db *tsdb.DB) error {
		_, err := Run(context.Background(), db, o)
		return err
	}}
}

// crashWorkload exercises every writing path: adds, a delete, minor and
// major compactions, and a filter that changes rows.
var crashWorkload = []step{
	addStep("a 1 1\na 2 2\nb 1 3\n"),
	addStep("a 2 20\nb 5 5\nc 1 1\n"),
	{"delete", func(db *tsdb.DB) error {
		_, err := db.Delete(format.Marker{Filter: []byte("b%"), HasFilter: true, Bounds: format.Bounds{BeforeTime: 3, HasBeforeTime: true}})
		return err
	}},
	compactStep(Options{}),
	addStep("a 3 3\nd 1 1\n"),
	compactStep(Options{Major: true}),
	addStep("e 1 1\n"),
	compactStep(Options{Major: true, Gegnum: "sed s/^a/A/"}),
}

// newMem returns a memfs holding an empty database.
func newMem() *memfs.FS {
	m := memfs.New(memfs.Options{})
	m.WriteFile(tsdb.MainName, nil)
	return m
}

// openMem opens a database on a memfs.
func openMem(t testing.TB, m *memfs.FS) *tsdb.DB {
	t.Helper()
	db, err := tsdb.Open("mem", &tsdb.Options{FS: m})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// states runs the workload without faults and returns what the database
// reads as before the first step and after each.
func states(t *testing.T) []string {
	db := openMem(t, newMem())
	out := []string{readDB(t, db)}
	for _, s := range crashWorkload {
		if err := s.run(db); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		out = append(out, readDB(t, db))
	}
	return out
}

// workloadOps counts the file-system operations of the whole workload.
func workloadOps(t *testing.T) int {
	probe := newMem()
	runUntilError(openMem(t, probe))
	return probe.Ops()
}

// runUntilError runs the workload and returns how many steps succeeded.
func runUntilError(db *tsdb.DB) int {
	for i, s := range crashWorkload {
		if s.run(db) != nil {
			return i
		}
	}
	return len(crashWorkload)
}

// TestCrash_EveryOperation crashes the workload at every file-system
// operation and checks the invariants on what comes back, under several
// models of what the disk kept: I1 every acknowledged step is there, I2/I3
// the step in flight is wholly there or not at all, I4 the next
// compaction removes temporary files and included leftovers.
func TestCrash_EveryOperation(t *testing.T) {
	want, total := states(t), workloadOps(t)
	checked := 0
	for n := range total {
		m := newMem()
		m.CrashAt(n)
		acked := runUntilError(openMem(t, m))
		for variant := range 4 {
			var r *rand.Rand
			if variant > 0 {
				r = rand.New(rand.NewPCG(uint64(n), uint64(variant)))
			}
			rec := m.Crash(r)
			checkRecovered(t, rec, want, acked, fmt.Sprintf("crash at op %d/%d (variant %d)", n, total, variant))
			checked++
		}
	}
	t.Logf("%d crash points, %d recoveries checked", total, checked)
}

// checkRecovered checks a recovered file system against the states.
func checkRecovered(t *testing.T, rec *memfs.FS, want []string, acked int, what string) {
	t.Helper()
	db := openMem(t, rec)
	got := readDB(t, db)
	if got != want[acked] && (acked == len(crashWorkload) || got != want[acked+1]) {
		t.Fatalf("%s after %d acknowledged steps: reads\n%s\nwant\n%s", what, acked, got, want[acked])
	}
	if _, err := Run(context.Background(), db, Options{Major: true}); err != nil {
		t.Fatalf("%s: compaction after recovery: %v", what, err)
	}
	if again := readDB(t, db); again != got {
		t.Fatalf("%s: compaction after recovery changed the rows", what)
	}
	if names := rec.Names(); !slices.Equal(names, []string{tsdb.MainName}) {
		t.Fatalf("%s: after recovery and compaction the directory holds %q", what, names)
	}
}

// TestIOError_EveryOperation fails every file-system operation in turn
// with EIO, ENOSPC or a short write: the failing command reports an error
// and leaves the database as it was (a compaction may have published
// before a later cleanup failed: then it reads as after); a command that
// reports success has done its work; retried, the workload completes.
func TestIOError_EveryOperation(t *testing.T) {
	want, total := states(t), workloadOps(t)
	for _, injected := range []error{syscall.EIO, syscall.ENOSPC, io.ErrShortWrite} {
		for n := range total {
			m := newMem()
			m.FailAt(n, injected)
			db := openMem(t, m)
			for i, s := range crashWorkload {
				err := s.run(db)
				got := readDB(t, openMem(t, m.Clone()))
				failed := m.Failed()
				switch {
				case err == nil && (failed == "sync" || failed == "syncdir"):
					t.Fatalf("%v at op %d: %s reported success after a failed %s", injected, n, s.name, failed)
				case err == nil && got != want[i+1]:
					t.Fatalf("%v at op %d: %s reported success but reads\n%s\nwant\n%s", injected, n, s.name, got, want[i+1])
				case err != nil && got != want[i] && got != want[i+1]:
					// A failure after the publication (a confirming
					// listing, a cleanup) may leave the step done: never
					// half done.
					t.Fatalf("%v at op %d: failed %s left the database half changed", injected, n, s.name)
				case err != nil && !errors.Is(err, injected):
					t.Fatalf("%v at op %d: %s failed with an unrelated error: %v", injected, n, s.name, err)
				}
				if err != nil && got == want[i] {
					if err := s.run(db); err != nil {
						t.Fatalf("%v at op %d: retried %s: %v", injected, n, s.name, err)
					}
				}
			}
			if got := readDB(t, openMem(t, m.Clone())); got != want[len(want)-1] {
				t.Fatalf("%v at op %d: final state differs", injected, n)
			}
		}
	}
}
