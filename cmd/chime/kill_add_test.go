package main

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestAdd_Killed SIGKILLs chime add (1, 200 or 2,000 rows) at random
// moments while a reader reads the whole database: an acknowledged add is
// readable (I1), a killed one is wholly visible or invisible in every
// read, during and after (I2), and the next add that succeeds leaves no
// temporary file (I4). Every fifth add runs to its end, for the clock.
// Now and then a compaction runs, which must leave no temporary or
// included file.
func TestAdd_Killed(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process kill test")
	}
	const (
		kills     = 500 // landed kills wanted
		perDB     = 100 // rounds per database, to keep full reads short
		compactAt = 25  // rounds between compactions
	)
	r := rand.New(rand.NewPCG(5, 6))
	tally := newKillTally("add")
	var cur atomic.Pointer[addModel]
	cur.Store(newAddModel(newDB(t)))
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		m := cur.Load()
		return []string{"-d", m.db, "read", "%", "--timestamp-nanos"}, m.checker()
	})
	clocks := make([]killClock, len(addSizes))
	for round := 1; tally.landed < kills && tally.attempts < 3*kills; round++ {
		m := cur.Load()
		switch {
		case round%perDB == 0:
			m.checkAll(t)
			cur.Store(newAddModel(newDB(t)))
			continue
		case round%compactAt == 0:
			args := []string{"-d", m.db, "compact"}
			if round%(2*compactAt) == 0 {
				args = append(args, "--major")
			}
			chime(t, "", args...)
			checkClean(t, m.db)
			m.checkAll(t)
		}
		size := r.IntN(len(addSizes))
		if len(clocks[size].runs) < 3 || round%5 == 0 {
			clocks[size].measured(m.timed(t, size))
		} else {
			m.killed(t, size, &clocks[size], r, tally)
		}
		if err := readers.failed(); err != nil {
			t.Fatal(err)
		}
	}
	reads := readers.stop(t)
	cur.Load().checkAll(t)
	tally.report(t, kills)
	for i, s := range addSizes {
		t.Logf("add of %d rows: %v", s.keys*s.samples, &clocks[i])
	}
	t.Logf("add: %d concurrent full reads, every one consistent", reads)
}

// addSizes are the shapes of the test's adds: keys x samples per key.
var addSizes = []struct{ keys, samples int }{{1, 1}, {10, 20}, {20, 100}}

// roundState is what a round's add did, as far as the test knows.
type roundState int

const (
	roundRunning   roundState = iota // it runs: its rows may appear at any moment
	roundAcked                       // it succeeded: its rows must stay readable
	roundVisible                     // killed after publishing: its rows stay
	roundInvisible                   // killed before publishing: they never appear
)

// addModel is what a database of the add test must read as. Each round
// is one add of keys "aNNNNN.kNNN", whose rows appear all together or not
// at all.
type addModel struct {
	db    string
	mu    sync.Mutex
	next  int
	want  map[string]string // round -> its rows as read prints them
	state map[string]roundState
}

func newAddModel(db string) *addModel {
	return &addModel{db: db, want: map[string]string{}, state: map[string]roundState{}}
}

// begin makes the next round: its name, add's input and read's output.
func (m *addModel) begin(size int) (round, input, want string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	round = fmt.Sprintf("a%05d", m.next)
	var in, out strings.Builder
	s := addSizes[size]
	for k := range s.keys {
		for ts := range s.samples {
			v := uint64(m.next)*7919 + uint64(k*131+ts)
			fmt.Fprintf(&in, "%s.k%03d %d %d\n", round, k, ts*1000+m.next, v)
			fmt.Fprintf(&out, "%s.k%03d\t%d\t%d\n", round, k, ts*1000+m.next, v)
		}
	}
	m.want[round] = out.String()
	m.state[round] = roundRunning
	return round, in.String(), out.String()
}

func (m *addModel) set(round string, s roundState) {
	m.mu.Lock()
	m.state[round] = s
	m.mu.Unlock()
}

// settle checks an acknowledged round (I1) and records it.
func (m *addModel) settle(t *testing.T, round, want string) {
	t.Helper()
	if got := m.readRound(t, round); got != want {
		t.Fatalf("I1: acknowledged add %s reads %d of its %d rows", round, countLines(got), countLines(want))
	}
	m.set(round, roundAcked)
}

func (m *addModel) readRound(t *testing.T, round string) string {
	t.Helper()
	return chime(t, "", "-d", m.db, "read", round+".%", "--timestamp-nanos")
}

// timed runs one add of the given size to its end and checks it.
func (m *addModel) timed(t *testing.T, size int) time.Duration {
	t.Helper()
	round, input, want := m.begin(size)
	d := timed(t, input, "-d", m.db, "add", "-f", "u")
	m.settle(t, round, want)
	checkNoTemps(t, m.db)
	return d
}

// killed runs one add of the given size, kills it after a delay drawn
// from clock, and checks and records what it left.
func (m *addModel) killed(t *testing.T, size int, clock *killClock, r *rand.Rand, tally *killTally) {
	t.Helper()
	round, input, want := m.begin(size)
	delay := clock.draw(r)
	before := temps(t, m.db)
	o := killAfter(t, delay, syscall.SIGKILL, input, "-d", m.db, "add", "-f", "u")
	if o.err != nil {
		t.Fatalf("add %s failed on its own: %v", round, o.err)
	}
	clock.observe(o)
	if !o.killed {
		m.settle(t, round, want)
		checkNoTemps(t, m.db) // it removed every stale one (I4)
		tally.finished()
		return
	}
	wrote := len(newNames(before, temps(t, m.db))) > 0
	switch got := m.readRound(t, round); {
	case got == want:
		m.set(round, roundVisible)
		tally.killed(map[bool]string{true: "after linking", false: "after publishing"}[wrote], true)
	case got == "":
		m.set(round, roundInvisible)
		tally.killed(map[bool]string{true: "while writing", false: "at start-up"}[wrote], wrote)
	default:
		t.Fatalf("I2: add %s killed after %v reads %d of its %d rows", round, delay, countLines(got), countLines(want))
	}
	backdateTemps(t, m.db)
}

// checker returns a check of a full read that starts now: every round it
// shows is whole, every round acknowledged by now is there, and no round
// killed before publishing is.
func (m *addModel) checker() func(string) error {
	m.mu.Lock()
	must, mustNot := map[string]bool{}, map[string]bool{}
	for round, s := range m.state {
		must[round] = s == roundAcked || s == roundVisible
		mustNot[round] = s == roundInvisible
	}
	m.mu.Unlock()
	return func(out string) error {
		got, err := splitRounds(out)
		if err != nil {
			return err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		for round, rows := range got {
			if rows != m.want[round] {
				return fmt.Errorf("I2: round %s shows %d of its %d rows", round, countLines(rows), countLines(m.want[round]))
			}
			if mustNot[round] {
				return fmt.Errorf("I2: round %s, killed before publishing, appeared", round)
			}
		}
		for round, ok := range must {
			if ok && got[round] == "" {
				return fmt.Errorf("I1: round %s, acknowledged before the read, is missing", round)
			}
		}
		return nil
	}
}

// checkAll reads the whole database and compares it with the model.
func (m *addModel) checkAll(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	var want strings.Builder
	for _, round := range slices.Sorted(maps.Keys(m.state)) {
		if s := m.state[round]; s == roundAcked || s == roundVisible {
			want.WriteString(m.want[round])
		}
	}
	m.mu.Unlock()
	if got := readAll(t, m.db); got != want.String() {
		t.Fatalf("the database reads %d rows, the model %d", countLines(got), countLines(want.String()))
	}
}

// splitRounds groups read output by round: the key's text before its
// first '.'. A round's rows must be contiguous.
func splitRounds(out string) (map[string]string, error) {
	rounds := map[string]string{}
	start, last := 0, ""
	for off := 0; off < len(out); {
		end := off + strings.IndexByte(out[off:], '\n') + 1
		if end == off {
			end = len(out)
		}
		round, _, _ := strings.Cut(out[off:end], ".")
		if round != last {
			if off > start {
				rounds[last] = out[start:off]
			}
			if _, seen := rounds[round]; seen {
				return nil, fmt.Errorf("rows of %s out of order", round)
			}
			start, last = off, round
		}
		off = end
	}
	if len(out) > start {
		rounds[last] = out[start:]
	}
	return rounds, nil
}

// newNames returns the names of after that are not in before.
func newNames(before, after []string) []string {
	var out []string
	for _, n := range after {
		if !slices.Contains(before, n) {
			out = append(out, n)
		}
	}
	return out
}

func countLines(s string) int { return strings.Count(s, "\n") }
