package main

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestDelete_Killed SIGKILLs chime delete at random moments while a reader
// reads: after each kill the database reads exactly as before the delete
// or exactly as after it (I2: a marker is all or nothing), an acknowledged
// delete is in force (I1), every concurrent read shows one of the states
// the database went through meanwhile, and the next delete that succeeds
// leaves no temporary file (I4). Now and then every row is added again
// and the database is compacted.
func TestDelete_Killed(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process kill test")
	}
	const kills = 300
	r := rand.New(rand.NewPCG(7, 8))
	m := newDeleteModel(t, newDB(t))
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		return []string{"-d", m.db, "read", "%", "--timestamp-nanos"}, m.checker()
	})
	var clock killClock
	tally := newKillTally("delete")
	for round := 1; tally.landed < kills && tally.attempts < 3*kills; round++ {
		switch {
		case round%25 == 0:
			m.restore(t)
		case round%50 == 10:
			chime(t, "", "-d", m.db, "compact", "--major")
			checkClean(t, m.db)
			m.check(t)
		}
		d := randomDelete(r)
		if len(clock.runs) < 3 || round%5 == 0 {
			clock.measured(m.timed(t, d))
		} else {
			m.killed(t, d, &clock, r, tally)
		}
		if err := readers.failed(); err != nil {
			t.Fatal(err)
		}
	}
	reads := readers.stop(t)
	m.check(t)
	tally.report(t, kills)
	t.Logf("delete: %v; %d concurrent full reads, each a state the database went through", &clock, reads)
}

// The delete test's rows: keys d00..d99, samples at 0..59 s.
const (
	delKeys    = 100
	delSamples = 60
)

// deletion is one delete command and what it covers.
type deletion struct {
	args     []string
	key      func(k string) bool
	from, to int // seconds, [from, to)
}

// randomDelete draws a delete by filter, exact key or key range, with or
// without time bounds, or by time alone.
func randomDelete(r *rand.Rand) deletion {
	d := deletion{args: []string{"delete"}, key: func(string) bool { return true }, to: delSamples}
	switch r.IntN(4) {
	case 0:
		p := fmt.Sprintf("d%d", r.IntN(10))
		d.args = append(d.args, p+"%")
		d.key = func(k string) bool { return strings.HasPrefix(k, p) }
	case 1:
		p := fmt.Sprintf("d%02d", r.IntN(delKeys))
		d.args = append(d.args, p)
		d.key = func(k string) bool { return k == p }
	case 2:
		a, b := r.IntN(delKeys), r.IntN(delKeys)
		lo, hi := fmt.Sprintf("d%02d", min(a, b)), fmt.Sprintf("d%02d", max(a, b))
		d.args = append(d.args, "--after-key", lo, "--before-key", hi)
		d.key = func(k string) bool { return k >= lo && k < hi }
	}
	bound := func(s int) string { return fmt.Sprintf("1970-01-01T00:00:%02d", s) }
	switch r.IntN(4) {
	case 0:
		if len(d.args) == 1 { // time alone: a bound there must be
			d.args = append(d.args, "--time", bound(0))
			d.to = 1
		}
	case 1:
		d.from = r.IntN(delSamples)
		d.args = append(d.args, "--after-time", bound(d.from))
	case 2:
		d.to = r.IntN(delSamples)
		d.args = append(d.args, "--before-time", bound(d.to))
	case 3:
		d.from = r.IntN(delSamples)
		d.to = d.from + 1
		d.args = append(d.args, "--time", bound(d.from))
	}
	return d
}

// deleteModel is what the delete test's database must read as, and the
// states it went through, for concurrent readers.
type deleteModel struct {
	db      string
	mu      sync.Mutex
	visible [delKeys][delSamples]bool
	hist    [][sha256.Size]byte // the states read may show, oldest first
	pending bool                // the newest is that of a delete still running
}

func newDeleteModel(t *testing.T, db string) *deleteModel {
	m := &deleteModel{db: db}
	m.restore(t)
	return m
}

// restore adds every row again: rows added after a marker are visible.
func (m *deleteModel) restore(t *testing.T) {
	t.Helper()
	var in strings.Builder
	for k := range delKeys {
		for s := range delSamples {
			fmt.Fprintf(&in, "d%02d %d %d\n", k, uint64(s)*1e9, k*100+s)
		}
	}
	m.mu.Lock()
	for k := range delKeys {
		for s := range delSamples {
			m.visible[k][s] = true
		}
	}
	m.hist = append(m.hist, sha256.Sum256([]byte(m.text(m.visible))))
	m.pending = true
	m.mu.Unlock()
	chime(t, in.String(), "-d", m.db, "add", "-f", "u")
	m.settled()
	m.check(t)
}

// text is the database as read prints it when vis says which rows are
// visible.
func (m *deleteModel) text(vis [delKeys][delSamples]bool) string {
	var sb strings.Builder
	for k := range delKeys {
		for s := range delSamples {
			if vis[k][s] {
				fmt.Fprintf(&sb, "d%02d\t%d\t%d\n", k, uint64(s)*1e9, k*100+s)
			}
		}
	}
	return sb.String()
}

// begin records that d starts: the database may now read as after it.
func (m *deleteModel) begin(d deletion) (before, after string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	vis := m.visible
	before = m.text(vis)
	for k := range delKeys {
		if d.key(fmt.Sprintf("d%02d", k)) {
			for s := d.from; s < d.to; s++ {
				vis[k][s] = false
			}
		}
	}
	after = m.text(vis)
	m.visible = vis
	m.hist = append(m.hist, sha256.Sum256([]byte(after)))
	m.pending = true
	return before, after
}

// rolledBack records that the delete that began did not publish.
func (m *deleteModel) rolledBack(before string, vis [delKeys][delSamples]bool) {
	m.mu.Lock()
	m.visible = vis
	m.hist = append(m.hist, sha256.Sum256([]byte(before)))
	m.pending = false
	m.mu.Unlock()
}

func (m *deleteModel) settled() {
	m.mu.Lock()
	m.pending = false
	m.mu.Unlock()
}

// timed runs d to its end, checks it (I1, I4) and returns its duration.
func (m *deleteModel) timed(t *testing.T, d deletion) time.Duration {
	t.Helper()
	_, after := m.begin(d)
	took := timed(t, "", append([]string{"-d", m.db}, d.args...)...)
	if readAll(t, m.db) != after {
		t.Fatalf("I1: acknowledged chime %s is not in force", strings.Join(d.args, " "))
	}
	m.settled()
	checkNoTemps(t, m.db)
	return took
}

// killed runs d, kills it after a delay drawn from clock, and checks what
// it left.
func (m *deleteModel) killed(t *testing.T, d deletion, clock *killClock, r *rand.Rand, tally *killTally) {
	t.Helper()
	delay := clock.draw(r)
	m.mu.Lock()
	vis := m.visible
	m.mu.Unlock()
	before, after := m.begin(d)
	tmps, files := temps(t, m.db), published(t, m.db)
	o := killAfter(t, delay, syscall.SIGKILL, "", append([]string{"-d", m.db}, d.args...)...)
	if o.err != nil {
		t.Fatalf("chime %s failed on its own: %v", strings.Join(d.args, " "), o.err)
	}
	clock.observe(o)
	got := readAll(t, m.db)
	wrote := len(newNames(tmps, temps(t, m.db))) > 0
	linked := len(newNames(files, published(t, m.db))) > 0
	switch {
	case !o.killed:
		if got != after {
			t.Fatalf("I1: acknowledged chime %s is not in force", strings.Join(d.args, " "))
		}
		m.settled()
		checkNoTemps(t, m.db)
		tally.finished()
		return
	case linked && got == after:
		m.settled()
		tally.killed(map[bool]string{true: "after linking", false: "after publishing"}[wrote], true)
	case !linked && got == before:
		m.rolledBack(before, vis)
		tally.killed(map[bool]string{true: "while writing", false: "at start-up"}[wrote], wrote)
	default:
		t.Fatalf("I2: chime %s killed after %v: the database reads neither as before nor as after", strings.Join(d.args, " "), delay)
	}
	backdateTemps(t, m.db)
}

// checker returns a check of a full read that starts now: it must show
// one of the states the database goes through until the check runs.
func (m *deleteModel) checker() func(string) error {
	m.mu.Lock()
	from := len(m.hist) - 1
	if m.pending {
		from--
	}
	m.mu.Unlock()
	return func(out string) error {
		sum := sha256.Sum256([]byte(out))
		m.mu.Lock()
		defer m.mu.Unlock()
		if !slices.Contains(m.hist[from:], sum) {
			return fmt.Errorf("a read shows %d rows: no state the database went through", countLines(out))
		}
		return nil
	}
}

// check compares the whole database with the model.
func (m *deleteModel) check(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	want := m.text(m.visible)
	m.mu.Unlock()
	if got := readAll(t, m.db); got != want {
		t.Fatalf("the database reads %d rows, the model %d", countLines(got), countLines(want))
	}
}
