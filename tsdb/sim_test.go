package tsdb

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

// The simulation test: many writers, compactors and readers use one
// database on the in-memory twin, interleaved at random at every store
// operation by a deterministic scheduler (a seed replays a run), with
// listings paged, writes applied but reported failed, and actors paused
// past a lease's expiry and the grace period. An oracle checks, in every
// snapshot and at the end, every acknowledged row, commit order and every
// acknowledged delete. TestSim_CatchesBrokenRules shows that it finds the
// violations of rules switched off one at a time.

// simConfig describes one run.
type simConfig struct {
	objects                       bool // object store (S3-like) or local directory
	writers, compactors, readers  int
	commits, compactions, reads   int // per actor
	pauseEvery                    int // a pause about every that many steps; 0: none
	failEvery                     int // an injected failure about every that many steps; 0: none
	seed                          uint64
	leaseTTL, grace, stepDuration time.Duration
}

func defaultSim(objects bool, seed uint64) simConfig {
	return simConfig{objects: objects, writers: 4, compactors: 2, readers: 2,
		commits: 12, compactions: 5, reads: 6, pauseEvery: 150, failEvery: 400, seed: seed,
		leaseTTL: time.Minute, grace: 10 * time.Minute, stepDuration: 10 * time.Millisecond}
}

// actor is one goroutine of the simulation, run only when the scheduler
// wakes it.
type actor struct {
	name        string
	wake        chan struct{}
	pausedUntil int
	lock        *Compaction // the compaction it runs, whose lease lapses while it is paused
}

// sim is the scheduler, the store and the history the oracle checks.
type sim struct {
	cfg simConfig
	m   *memfs.FS
	db  *DB
	r   *rand.Rand

	mu      sync.Mutex
	ready   []*actor
	current *actor
	step    int
	done    chan struct{}
	left    int
	writing int // writers still running

	notes      map[string]int
	trace      []string
	commits    []*simCommit
	deletes    []*simDelete
	violations []string
}

// simCommit is one transaction of a writer: rows (w<writer>, 2*seq) and
// (w<writer>, 2*seq+1), both with value seq, and the shared row
// (shared, 1) with value id.
type simCommit struct {
	id, writer, seq uint64
	start, end      int // steps
	acked           bool
}

// simDelete hides one commit's two rows.
type simDelete struct {
	of         *simCommit
	start, end int
	acked      bool
}

func newSim(t *testing.T, cfg simConfig) *sim {
	s := &sim{cfg: cfg, r: rand.New(rand.NewPCG(cfg.seed, 7)), done: make(chan struct{})}
	s.m = memfs.New(memfs.Options{Objects: cfg.objects, PageSize: 3, LeaseTTL: cfg.leaseTTL, Hook: s.yield})
	s.m.WriteFile(MainName, nil)
	db, err := Open("sim", &Options{FS: s.m, Grace: cfg.grace, MinFree: -1})
	must(t, err)
	s.db = db
	return s
}

// yield is called by the running actor at every store operation: the
// scheduler advances the clock, may inject a failure or pause the actor,
// and runs the next actor of its choice.
func (s *sim) yield(op, name string) {
	s.mu.Lock()
	s.step++
	s.m.Advance(s.cfg.stepDuration)
	if s.cfg.failEvery > 0 && s.r.IntN(s.cfg.failEvery) == 0 {
		s.m.FailAt(s.m.Ops(), s.injected())
	}
	me := s.current
	if me == nil { // the set-up, before the actors start
		s.mu.Unlock()
		return
	}
	if s.cfg.pauseEvery > 0 && s.r.IntN(s.pauseOdds(op)) == 0 {
		me.pausedUntil = s.step + s.pauseSteps(op)
		s.m.Advance(s.cfg.leaseTTL + s.cfg.grace + time.Second)
		if me.lock != nil {
			s.m.RenewExcept(me.lock.lock)
		} else {
			s.m.RenewExcept()
		}
	}
	s.ready = append(s.ready, me)
	next := s.pick()
	s.current = next
	s.mu.Unlock()
	if next != me {
		next.wake <- struct{}{}
		<-me.wake
	}
}

// pauseOdds is 1 in how many operations of kind op pause their actor. The
// adversary favours the moment before a publication: a writer paused
// there publishes with a stale listing, a compactor after it checked its
// lease publishes after another took the lease over.
func (s *sim) pauseOdds(op string) int {
	if op == "publish" || op == "replace" {
		return 6
	}
	return s.cfg.pauseEvery
}

// pauseSteps is how long a pause lasts, in steps of the others: long
// enough, before a publication, for another compactor to take the lease
// over and finish a compaction.
func (s *sim) pauseSteps(op string) int {
	if op == "publish" || op == "replace" {
		return 500 + s.r.IntN(3000)
	}
	return 50 + s.r.IntN(500)
}

// injected is a failure: one that took effect (a lost reply) or not.
func (s *sim) injected() error {
	if s.r.IntN(2) == 0 {
		return fmt.Errorf("injected: %w", memfs.ErrApplied)
	}
	return errors.New("injected: connection reset")
}

// pick removes and returns a ready actor, at random among those not
// paused (the earliest to wake when all are).
func (s *sim) pick() *actor {
	var cands []int
	for i, a := range s.ready {
		if a.pausedUntil <= s.step {
			cands = append(cands, i)
		}
	}
	i := 0
	if len(cands) > 0 {
		i = cands[s.r.IntN(len(cands))]
	} else {
		for j, a := range s.ready {
			if a.pausedUntil < s.ready[i].pausedUntil {
				i = j
			}
		}
		s.step = s.ready[i].pausedUntil
	}
	a := s.ready[i]
	s.ready = append(s.ready[:i], s.ready[i+1:]...)
	return a
}

// run runs every actor to its end.
func (s *sim) run(bodies map[string]func(*actor)) {
	var actors []*actor
	for _, name := range slices.Sorted(maps.Keys(bodies)) { // a seed replays a run
		body := bodies[name]
		a := &actor{name: name, wake: make(chan struct{})}
		actors = append(actors, a)
		go func() {
			<-a.wake
			body(a)
			s.exit()
		}()
	}
	s.mu.Lock()
	s.left = len(actors)
	s.ready = actors
	first := s.pick()
	s.current = first
	s.mu.Unlock()
	first.wake <- struct{}{}
	<-s.done
}

// exit ends the running actor and runs the next.
func (s *sim) exit() {
	s.mu.Lock()
	s.left--
	if s.left == 0 {
		s.current = nil
		s.mu.Unlock()
		close(s.done)
		return
	}
	next := s.pick()
	s.current = next
	s.mu.Unlock()
	next.wake <- struct{}{}
}

// tracef records an event, printed when a run fails.
func (s *sim) tracef(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trace = append(s.trace, fmt.Sprintf("%6d ", s.step)+fmt.Sprintf(format, args...))
}

func (s *sim) note(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notes == nil {
		s.notes = map[string]int{}
	}
	s.notes[what]++
}

func (s *sim) now() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.step
}

func (s *sim) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf("step %d: ", s.step)+fmt.Sprintf(format, args...))
}

// writer commits, and now and then deletes one of its acknowledged
// commits.
func (s *sim) writer(w uint64) {
	defer func() {
		s.mu.Lock()
		s.writing--
		s.mu.Unlock()
	}()
	var mine []*simCommit
	for seq := range uint64(s.cfg.commits) {
		if len(mine) > 0 && s.r.IntN(4) == 0 {
			s.deleteOne(mine)
		}
		c := &simCommit{writer: w, seq: seq}
		s.mu.Lock()
		c.id = uint64(len(s.commits) + 1)
		s.commits = append(s.commits, c)
		c.start = s.step
		s.mu.Unlock()
		err := s.commit(c)
		c.end = s.now()
		if err == nil {
			c.acked = true
			mine = append(mine, c)
		}
	}
}

func (s *sim) commit(c *simCommit) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	shared := uBlock(row{"shared", 1, c.id})
	own := uBlock(row{fmt.Sprintf("w%d", c.writer), 2 * c.seq, c.seq})
	own.Times = append(own.Times, 2*c.seq+1)
	own.Cols[0].Nums = append(own.Cols[0].Nums, c.seq)
	for _, b := range []*format.Block{shared, own} {
		if err := tx.Write(b); err != nil {
			tx.Rollback()
			return err
		}
	}
	name, err := tx.Commit()
	s.tracef("commit %d (w%d seq %d) as %s: %v", c.id, c.writer, c.seq, name, err)
	return err
}

func (s *sim) deleteOne(mine []*simCommit) {
	c := mine[s.r.IntN(len(mine))]
	d := &simDelete{of: c, start: s.now()}
	s.mu.Lock()
	s.deletes = append(s.deletes, d)
	s.mu.Unlock()
	_, err := s.db.Delete(format.Marker{Filter: []byte(fmt.Sprintf("w%d", c.writer)), HasFilter: true,
		Bounds: format.Bounds{AfterTime: 2 * c.seq, HasAfterTime: true, BeforeTime: 2*c.seq + 2, HasBeforeTime: true}})
	d.end, d.acked = s.now(), err == nil
	s.tracef("delete of commit %d: %v", c.id, err)
}

func (s *sim) writersRunning() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writing > 0
}

// compactor runs minor and major compactions while the writers run (and a
// few more); errors (a lost lease, a name taken by another compactor, an
// injected failure) are allowed.
func (s *sim) compactor(me *actor) {
	for i := 0; i < s.cfg.compactions || s.writersRunning(); i++ {
		c, err := s.db.BeginCompaction(CompactionOptions{Major: s.r.IntN(2) == 0})
		if err != nil {
			continue
		}
		me.lock = c
		var in []string
		for _, f := range c.Inputs() {
			in = append(in, f.Name)
		}
		s.tracef("%s begins a %s compaction on main gen %d: inputs %v", me.name, map[bool]string{true: "major", false: "minor"}[c.major], c.snap.main.seg.Generation(), in)
		var scratch format.Block
		if view := c.Snapshot(); view != nil {
			err = view.Scan(nil, func(b *format.Block, from, to int) error {
				scratch.Reset(b.Key, b.Format)
				scratch.AppendRows(b, from, to)
				return c.Write(&scratch)
			})
		}
		if err == nil {
			var name string
			planned := c.snap.main.seg.Generation()
			var inc []string
			for _, f := range c.included {
				id := f.id()
				inc = append(inc, fmt.Sprintf("%s/%x", f.name, id[:2]))
			}
			name, err = c.Publish()
			s.note(fmt.Sprintf("publish %v", name != ""))
			if name != "" || err != nil {
				s.tracef("%s: %s compaction planned on gen %d publishes %q (err %v), including %v", me.name, map[bool]string{true: "major", false: "minor"}[c.major], planned, name, err, inc)
			}
			if name != "" {
				if l, lerr := s.m.List(); lerr == nil {
					if e, ok := newestMain(l, true); ok && parseName(e.Name).gen > planned+1 || ok && !c.major && parseName(e.Name).gen > planned {
						s.note("late output " + name)
					}
				}
			}
		}
		if err != nil {
			s.note("compaction error: " + strings.SplitN(err.Error(), ":", 2)[0])
		}
		c.Abort()
		me.lock = nil
	}
}

// reader takes snapshots and checks them; a read may fail (an injected
// failure, a paused reader outliving the grace period), never with wrong
// rows.
func (s *sim) reader() {
	for i := 0; i < s.cfg.reads || s.writersRunning(); i++ {
		start := s.now()
		rows, err := s.read()
		if err == nil {
			s.check(rows, start, s.now())
		}
	}
}

// read returns every visible row as "key ts" -> value.
func (s *sim) read() (map[string]uint64, error) {
	snap, err := s.db.Snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	var live []string
	for _, f := range snap.data {
		live = append(live, fmt.Sprintf("%s(gen %d, rank %d)", f.name, f.seg.Generation(), f.rank))
	}
	for _, f := range snap.files {
		if !f.live() {
			live = append(live, fmt.Sprintf("-%s(hidden %v ignored %v)", f.name, f.hidden, f.ignored))
		}
	}
	s.tracef("snapshot: %v vanished %v", live, snap.vanished)
	rows := map[string]uint64{}
	err = snap.Scan(nil, func(b *format.Block, from, to int) error {
		for i := from; i < to; i++ {
			rows[fmt.Sprintf("%s %d", b.Key, b.Times[i])] = b.Cols[0].Nums[i]
		}
		return nil
	})
	return rows, err
}

// check verifies a snapshot taken between the steps start and end.
func (s *sim) check(rows map[string]uint64, start, end int) {
	s.mu.Lock()
	commits, deletes := append([]*simCommit(nil), s.commits...), append([]*simDelete(nil), s.deletes...)
	s.mu.Unlock()
	deletedBefore := map[*simCommit]bool{} // acknowledged before the snapshot
	deleting := map[*simCommit]bool{}      // begun before it ended
	for _, d := range deletes {
		if d.acked && d.end < start {
			deletedBefore[d.of] = true
		}
		if d.start < end {
			deleting[d.of] = true
		}
	}
	byID := map[uint64]*simCommit{}
	for _, c := range commits {
		byID[c.id] = c
		a, aok := rows[fmt.Sprintf("w%d %d", c.writer, 2*c.seq)]
		b, bok := rows[fmt.Sprintf("w%d %d", c.writer, 2*c.seq+1)]
		switch {
		case aok != bok:
			s.violate("commit %d (writer %d seq %d) is half visible", c.id, c.writer, c.seq)
		case aok && (a != c.seq || b != c.seq):
			s.violate("commit %d rows hold %d, %d, want %d", c.id, a, b, c.seq)
		case aok && deletedBefore[c]:
			s.violate("commit %d is visible after its delete was acknowledged", c.id)
		case !aok && c.acked && c.end < start && !deleting[c]:
			s.violate("commit %d, acknowledged at step %d, is not visible in a snapshot begun at step %d", c.id, c.end, start)
		}
	}
	s.checkShared(rows, byID, start)
	for key := range rows {
		if !strings.HasPrefix(key, "w") && !strings.HasPrefix(key, "shared ") {
			s.violate("a row nobody wrote: %q", key)
		}
	}
}

// checkShared checks last-writer-wins in commit order on the shared row:
// its value comes from a commit that no commit acknowledged before the
// snapshot, and begun after that commit was acknowledged, overwrote.
func (s *sim) checkShared(rows map[string]uint64, byID map[uint64]*simCommit, start int) {
	v, ok := rows["shared 1"]
	anyAcked := false
	for _, c := range byID {
		anyAcked = anyAcked || c.acked && c.end < start
	}
	if !ok {
		if anyAcked {
			s.violate("the shared row is missing though commits that wrote it were acknowledged")
		}
		return
	}
	x := byID[v]
	if x == nil {
		s.violate("the shared row holds %d, which no commit wrote", v)
		return
	}
	if !x.acked {
		return // in flight, or failed: no order is promised against it
	}
	for _, y := range byID {
		if y.acked && y.end < start && y.start > x.end {
			s.violate("the shared row holds commit %d's value (acknowledged at step %d); commit %d, begun at step %d and acknowledged before the snapshot, must win", x.id, x.end, y.id, y.start)
			return
		}
	}
}

// runSim runs one simulation and returns its violations.
func runSim(t *testing.T, cfg simConfig) ([]string, []string) {
	t.Helper()
	s := newSim(t, cfg)
	defer func(old func(time.Duration)) { pause = old }(pause)
	pause = func(time.Duration) { s.yield("pause", "") }
	bodies := map[string]func(*actor){}
	s.writing = cfg.writers
	for w := range cfg.writers {
		bodies[fmt.Sprintf("writer%d", w)] = func(*actor) { s.writer(uint64(w)) }
	}
	for c := range cfg.compactors {
		bodies[fmt.Sprintf("compactor%d", c)] = s.compactor
	}
	for r := range cfg.readers {
		bodies[fmt.Sprintf("reader%d", r)] = func(*actor) { s.reader() }
	}
	s.run(bodies)
	pause = func(time.Duration) {}
	s.m.SetHook(nil)
	s.m.FailAt(-1, nil)
	rows, err := s.read()
	if err != nil {
		return append(s.violations, fmt.Sprintf("the final read failed: %v", err)), s.trace
	}
	s.check(rows, s.step+1, s.step+1)
	if testing.Verbose() {
		t.Logf("seed %d: %d steps, notes %v", cfg.seed, s.step, s.notes)
	}
	return s.violations, s.trace
}

// simSeeds is the number of seeds TestSim_Protocol runs per kind of store:
// -simseeds sets it (make soak runs more).
var simSeeds = 40

func init() {
	flag.IntVar(&simSeeds, "simseeds", simSeeds, "seeds of TestSim_Protocol per kind of store")
}

// TestSim_Protocol runs the simulation on both kinds of store over many
// seeds: no violation.
func TestSim_Protocol(t *testing.T) {
	seeds := simSeeds
	if testing.Short() {
		seeds = 8
	}
	for _, objects := range []bool{false, true} {
		t.Run(fmt.Sprint("objects=", objects), func(t *testing.T) {
			for seed := range uint64(seeds) {
				cfg := defaultSim(objects, seed)
				if v, trace := runSim(t, cfg); len(v) > 0 {
					t.Fatalf("seed %d: %d violations, the first: %s\ntrace:\n%s", seed, len(v), v[0], strings.Join(trace, "\n"))
				}
			}
		})
	}
}

// TestSim_CatchesBrokenRules switches the protocol's rules off one at a
// time: for each, some seed must produce a violation, or the simulation
// is too kind to prove anything.
func TestSim_CatchesBrokenRules(t *testing.T) {
	if testing.Short() {
		t.Skip("the simulation runs on one goroutine at a time: the race detector adds nothing, and make test runs it without -short")
	}
	rules := []struct {
		name    string
		objects bool
		set     func(*brokenRules)
	}{
		{"included lists match names only", false, func(b *brokenRules) { b.namesOnly = true }},
		{"late outputs are read", true, func(b *brokenRules) { b.noIgnore = true }},
		{"replaced files removed at once on object storage", true, func(b *brokenRules) { b.eagerSweep = true }},
		{"acknowledged without the confirming listing", false, func(b *brokenRules) { b.noConfirm = true }},
	}
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			defer func() { broken = brokenRules{} }()
			rule.set(&broken)
			for seed := range uint64(200) {
				if v, _ := runSim(t, defaultSim(rule.objects, seed)); len(v) > 0 {
					t.Logf("caught at seed %d: %s", seed, v[0])
					return
				}
			}
			t.Fatal("no seed of 200 found a violation with the rule broken")
		})
	}
}
