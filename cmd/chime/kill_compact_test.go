package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// killTemplate builds a database with a main, data transactions and a
// delete marker, for the compaction kill tests to copy.
func killTemplate(t *testing.T) string {
	t.Helper()
	db := newDB(t)
	for tx := range 6 {
		var sb strings.Builder
		for k := range 100 {
			for ts := range 100 {
				fmt.Fprintf(&sb, "k%03d %d %d\n", k, tx*50+ts, tx*1000+ts)
			}
		}
		chime(t, sb.String(), "-d", db, "add", "-f", "u", "--no-sync")
		if tx == 0 {
			chime(t, "", "-d", db, "compact", "--major")
		}
	}
	chime(t, "", "-d", db, "delete", "k01%", "--after-time", "1970-01-01T00:00:00.000000100")
	return db
}

// compactTarget is the database being compacted and what it must read
// as: before, or after.
type compactTarget struct{ db, before, after string }

// TestCompact_Killed kills compactions (minor, major, --gegnum) at random
// moments, with SIGKILL and now and then SIGINT, while a reader reads
// the database being compacted: every read, and the database after the
// kill, reads exactly as before or exactly as after (I3). The next
// compaction, once the killed one's temporary files are backdated, reaches
// the after state and leaves no temporary file and no file that another
// includes (I4).
func TestCompact_Killed(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process kill test")
	}
	const perCase = 60 // landed kills wanted per kind of compaction
	template := killTemplate(t)
	cases := []struct {
		args  []string
		after func(before string) string
	}{
		{[]string{"compact"}, same},
		{[]string{"compact", "--major"}, same},
		{[]string{"compact", "--major", "--gegnum", "sed s/^k/K/"}, func(b string) string {
			return strings.ReplaceAll("\n"+b, "\nk", "\nK")[1:]
		}},
	}
	var cur atomic.Pointer[compactTarget]
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		c := cur.Load()
		if c == nil {
			return []string{"--version"}, nil
		}
		return []string{"-d", c.db, "read", "%", "--timestamp-nanos"}, func(out string) error {
			if out != c.before && out != c.after {
				return fmt.Errorf("I3: a read during a compaction is neither the before nor the after state (%d rows)", countLines(out))
			}
			return nil
		}
	})
	r := rand.New(rand.NewPCG(1, 2))
	prints := fingerprint(t, template)
	for _, c := range cases {
		tally := newKillTally(strings.Join(c.args, " "))
		before := readAll(t, template)
		after := c.after(before)
		var clock killClock
		for i := 0; tally.landed < perCase && tally.attempts < 3*perCase; i++ {
			target := &compactTarget{db: filepath.Join(t.TempDir(), "db"), before: before, after: after}
			copyDir(t, template, target.db)
			cur.Store(target)
			args := append([]string{"-d", target.db}, c.args...)
			if i < 3 || i%5 == 0 {
				clock.measured(timed(t, "", args...))
			} else {
				sig := syscall.SIGKILL
				if i%5 == 3 {
					sig = syscall.SIGINT
				}
				o := killAfter(t, clock.draw(r), sig, "", args...)
				if o.err != nil {
					t.Fatalf("%s failed on its own: %v", tally.name, o.err)
				}
				got := readAll(t, target.db)
				if got != target.before && got != target.after {
					t.Fatalf("I3: %s killed by %v: reads neither as before nor as after", tally.name, sig)
				}
				clock.observe(o)
				if o.killed {
					phase, midOp := compactPhase(t, target.db, prints)
					if sig == syscall.SIGINT {
						phase = "SIGINT " + phase
					}
					tally.killed(phase, midOp)
				} else {
					tally.finished()
				}
			}
			backdateTemps(t, target.db)
			chime(t, "", args...)
			if got := readAll(t, target.db); got != target.after {
				t.Fatalf("%s after a kill and a rerun: not the after state", tally.name)
			}
			checkClean(t, target.db)
			if err := readers.failed(); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %v", tally.name, &clock)
		tally.report(t, perCase)
	}
	t.Logf("compact: %d concurrent full reads, each before or after", readers.stop(t))
}

func same(s string) string { return s }

// compactPhase says where a kill left a compaction: whether it published
// (the included lists changed), left its output's temporary file, or left
// inputs that its output includes.
func compactPhase(t *testing.T, db string, template []string) (string, bool) {
	t.Helper()
	switch {
	case !slices.Equal(fingerprint(t, db), template) && len(leftovers(t, db)) > 0:
		return "after publishing, before unlinking its inputs", true
	case !slices.Equal(fingerprint(t, db), template):
		return "after unlinking its inputs", true
	case len(temps(t, db)) > 0:
		return "while merging", true
	default:
		return "before its output", false
	}
}

// fingerprint lists the published files of db with their included lists.
func fingerprint(t *testing.T, db string) []string {
	t.Helper()
	var out []string
	for _, name := range published(t, db) {
		out = append(out, name+":"+strings.Join(included(t, filepath.Join(db, name)), ","))
	}
	return out
}

// TestCompact_ConcurrentReadersWriters runs compactions, half of them
// killed, while a writer adds rows and readers read: no reader or writer
// fails, and every read holds every row acknowledged before it started.
func TestCompact_ConcurrentReadersWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process test")
	}
	db := newDB(t)
	var mu sync.Mutex
	acked := 0 // rows w0..w(acked-1) are committed
	done := make(chan struct{})
	var wg sync.WaitGroup
	fail := make(chan error, 8)
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if _, err := runChime(fmt.Sprintf("w%05d 1 %d\n", i, i), "-d", db, "add", "-f", "u"); err != nil {
				fail <- fmt.Errorf("writer: %v", err)
				return
			}
			mu.Lock()
			acked = i + 1
			mu.Unlock()
		}
	}()
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		mu.Lock()
		want := acked
		mu.Unlock()
		return []string{"-d", db, "read", "w%", "--timestamp-nanos"}, func(out string) error {
			if n := countLines(out); n < want {
				return fmt.Errorf("I1: a reader saw %d rows, %d were acknowledged", n, want)
			}
			return nil
		}
	})
	r := rand.New(rand.NewPCG(3, 4))
	var clock killClock // of the uninterrupted compactions
	tally := newKillTally("compact beside a writer")
	for i := range 40 {
		args := []string{"-d", db, "compact"}
		if i%3 == 0 {
			args = append(args, "--major")
		}
		if i%2 == 1 {
			o := killAfter(t, clock.draw(r), syscall.SIGKILL, "", args...)
			clock.observe(o)
			switch {
			case o.err != nil:
				t.Fatal(o.err)
			case o.killed:
				tally.killed("somewhere", true)
			default:
				tally.finished()
			}
		} else {
			clock.measured(timed(t, "", args...))
		}
	}
	close(done)
	wg.Wait()
	reads := readers.stop(t)
	close(fail)
	for err := range fail {
		t.Fatal(err)
	}
	t.Logf("%d rows committed during 40 compactions (%d killed), %d concurrent reads", acked, tally.landed, reads)
	if n := countLines(chime(t, "", "-d", db, "read", "w%", "--timestamp-nanos")); n != acked {
		t.Fatalf("%d rows readable, %d acknowledged", n, acked)
	}
}
