package main

// The whole-process reliability harness (issue 6): it builds chime once,
// runs it on real directories, kills it at moments drawn from measured
// durations, and checks after every kill that
//
//	I1 every acknowledged row is readable (or deleted);
//	I2 an unacknowledged add or delete is wholly visible or invisible;
//	I3 an interrupted compaction reads exactly as before or as after;
//	I4 the next writer or compaction removes stale .tmp files and the
//	   files that main (or a minor-compaction output) already includes;
//
// while concurrent readers (chime read) never fail. The commands' tests
// are kill_add_test.go, kill_delete_test.go, kill_compact_test.go and
// kill_serve_test.go; powercut_test.go reuses the runner.

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format/segment"
)

// chimeBinary is the chime the whole-process tests run. The test
// binary's TestMain (testscript.Main) puts a copy of this test
// binary named chime, which runs main, on $PATH and removes it at exit: the
// whole-process tests use it rather than building and leaking one.
var chimeBinary = sync.OnceValues(func() (string, error) { return exec.LookPath("chime") })

// buildChime builds chime with the comma-separated build tags (none when
// empty) into a new temporary directory.
func buildChime(tags string) (string, error) {
	dir, err := os.MkdirTemp("", "chime-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "chime")
	args := []string{"build", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", strings.Join(args[1:], " "), err, out)
	}
	return bin, nil
}

func mustBinary(t testing.TB) string {
	t.Helper()
	bin, err := chimeBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// chime runs the chime binary and returns its stdout.
func chime(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	out, err := runChime(stdin, args...)
	if err != nil {
		t.Fatalf("chime %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func runChime(stdin string, args ...string) (string, error) {
	bin, err := chimeBinary()
	if err != nil {
		return "", err
	}
	return runBinary(bin, stdin, args...)
}

// runBinary runs a chime binary; its error carries chime's stderr.
func runBinary(bin, stdin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// newDB creates an empty database in a new temporary directory.
func newDB(t testing.TB) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	chime(t, "", "init", db)
	return db
}

// readAll is the whole database as chime read prints it, with nanosecond
// timestamps.
func readAll(t testing.TB, db string) string {
	t.Helper()
	return chime(t, "", "-d", db, "read", "%", "--timestamp-nanos")
}

// killOutcome is how a run with a scheduled signal ended.
type killOutcome struct {
	killed bool          // the signal ended it while it ran
	err    error         // its failure when it ended on its own; nil: success
	took   time.Duration // from the return of Start to the end
}

// killAfter starts chime with stdin, sends sig delay after it started and
// waits for it.
func killAfter(t testing.TB, delay time.Duration, sig syscall.Signal, stdin string, args ...string) killOutcome {
	t.Helper()
	cmd, stderr, start := startChime(t, stdin, args...)
	go signalAfter(cmd.Process, delay, sig)
	o := outcome(cmd.Wait(), sig, stderr.String())
	o.took = time.Since(start)
	return o
}

// startChime starts chime with stdin, collecting its stderr, and returns
// when Start returned: the moment kill delays and run times count from.
func startChime(t testing.TB, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, time.Time) {
	t.Helper()
	return startChimeEnv(t, nil, stdin, args...)
}

// startChimeEnv is startChime with extra environment.
func startChimeEnv(t testing.TB, env []string, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, time.Time) {
	t.Helper()
	cmd := exec.Command(mustBinary(t), args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = strings.NewReader(stdin)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stderr, time.Now()
}

// signalAfter sends sig to p after delay, if p still runs. It sleeps with
// nanosleep(2), precise to some 50 µs, where Go's timers may fire a
// millisecond late: kills land where the clock says. Signalling a process
// already waited for is a harmless error.
func signalAfter(p *os.Process, delay time.Duration, sig syscall.Signal) {
	sleep(delay)
	p.Signal(sig)
}

// timed runs chime to its end and returns how long it ran, measured as
// killAfter measures its delays: from the return of Start.
func timed(t testing.TB, stdin string, args ...string) time.Duration {
	t.Helper()
	cmd, stderr, start := startChime(t, stdin, args...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("chime %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return time.Since(start)
}

// outcome classifies the end of a process that may have received sig.
// chime turns SIGINT into exit status 130 once it has set its handler.
func outcome(err error, sig syscall.Signal, stderr string) killOutcome {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return killOutcome{err: err}
	}
	ws, _ := ee.Sys().(syscall.WaitStatus)
	if ws.Signaled() && ws.Signal() == sig || sig == syscall.SIGINT && ee.ExitCode() == exitInterrupted {
		return killOutcome{killed: true}
	}
	return killOutcome{err: fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr))}
}

// killClock draws kill delays from the measured durations of recent
// uninterrupted runs: it takes the shorter of two of them, d, then a delay
// uniformly between the process start-up floor (chime --version) and d.
// Durations spread widely on a busy 2-core machine (an fsync may take 1 ms
// or 30), so drawing from all of them rather than around their median,
// biased to the shorter, makes most kills land while the command runs,
// anywhere in it, and some after it finished. Tests measure now and then
// as they go, with the same reader and the same dirty page cache as the
// kills, and report each kill's outcome: a run that ended before its kill
// is one more measurement and narrows the range of delays a little, a
// kill that landed widens it back, so that about two kills in three land
// whatever the load.
type killClock struct {
	runs  []time.Duration // the last clockRuns, oldest first
	scale float64         // of the range above the floor; 0 means 1
}

const clockRuns = 9

// measured records the duration of an uninterrupted run.
func (c *killClock) measured(d time.Duration) {
	c.runs = append(c.runs, d)
	if len(c.runs) > clockRuns {
		c.runs = c.runs[1:]
	}
}

// observe records how a kill drawn from c ended.
func (c *killClock) observe(o killOutcome) {
	if c.scale == 0 {
		c.scale = 1
	}
	if o.killed {
		c.scale = min(1, c.scale*1.02)
		return
	}
	c.measured(o.took)
	c.scale = max(0.2, c.scale*0.96)
}

func (c *killClock) lo() time.Duration { return min(startupFloor(), slices.Min(c.runs)*4/5) }

// pick returns the shorter of two recent durations.
func (c *killClock) pick(r *rand.Rand) time.Duration {
	return min(c.runs[r.IntN(len(c.runs))], c.runs[r.IntN(len(c.runs))])
}

func (c *killClock) draw(r *rand.Rand) time.Duration {
	lo, scale := c.lo(), c.scale
	if scale == 0 {
		scale = 1
	}
	span := max(time.Duration(float64(c.pick(r)-lo)*scale), 500*time.Microsecond)
	return lo + time.Duration(r.Int64N(int64(span)+1))
}

func (c *killClock) String() string {
	runs := slices.Sorted(slices.Values(c.runs))
	return fmt.Sprintf("last runs %v..%v (median %v), delays from %v",
		runs[0].Round(time.Microsecond), runs[len(runs)-1].Round(time.Microsecond),
		runs[len(runs)/2].Round(time.Microsecond), c.lo().Round(time.Microsecond))
}

// startupFloor is the median duration of chime --version: a process that
// starts and does nothing.
var startupFloor = sync.OnceValue(func() time.Duration {
	d := make([]time.Duration, 7)
	for i := range d {
		start := time.Now()
		runChime("", "--version")
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[len(d)/2]
})

// killTally counts the kills of one test by where they landed. A kill
// lands when the signal ends a running process; it lands mid-operation
// when the command had begun its work (a temporary file or a publication
// shows it), not only started up.
type killTally struct {
	name     string
	attempts int            // runs with a kill scheduled
	landed   int            // runs the signal ended
	midOp    int            // landed once the work had begun
	phases   map[string]int // landed kills by what they left behind
}

func newKillTally(name string) *killTally {
	return &killTally{name: name, phases: map[string]int{}}
}

// finished records a run that ended on its own before its kill.
func (k *killTally) finished() { k.attempts++ }

// killed records a landed kill and what it left behind.
func (k *killTally) killed(phase string, midOp bool) {
	k.attempts++
	k.landed++
	k.phases[phase]++
	if midOp {
		k.midOp++
	}
}

// report logs the tally and fails the test when fewer than want kills
// landed, fewer than half of those scheduled landed, or fewer than half of
// the landed ones found the command at work: then the delays miss the
// commands and the test proves little.
func (k *killTally) report(t testing.TB, want int) {
	t.Helper()
	var ph []string
	for _, p := range slices.Sorted(maps.Keys(k.phases)) {
		ph = append(ph, fmt.Sprintf("%d %s", k.phases[p], p))
	}
	t.Logf("%s: %d of %d scheduled kills landed while chime ran, %d of them mid-operation (%s)",
		k.name, k.landed, k.attempts, k.midOp, strings.Join(ph, ", "))
	switch {
	case k.landed < want:
		t.Errorf("%s: only %d kills landed, want %d", k.name, k.landed, want)
	case k.landed*2 < k.attempts:
		t.Errorf("%s: only %d of %d scheduled kills landed", k.name, k.landed, k.attempts)
	case k.midOp*2 < k.landed:
		t.Errorf("%s: only %d of %d landed kills found the command at work", k.name, k.midOp, k.landed)
	}
}

// readerPool runs chime read in loops beside a test that kills writers.
// A failed read or a failed check of its output fails the test.
type readerPool struct {
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	mu    sync.Mutex
	err   error
	reads int
}

// startReaders starts n readers. Before each read a reader calls next for
// the read's arguments and a check of its output, made before the read
// starts so that it knows what was acknowledged by then (nil: any output).
func startReaders(t testing.TB, n int, next func() (args []string, check func(out string) error)) *readerPool {
	p := &readerPool{done: make(chan struct{})}
	for range n {
		p.wg.Add(1)
		go p.loop(next)
	}
	t.Cleanup(p.halt)
	return p
}

func (p *readerPool) loop(next func() ([]string, func(string) error)) {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			return
		default:
		}
		args, check := next()
		out, err := runReader(args)
		if err == nil && check != nil {
			err = check(out)
		}
		p.mu.Lock()
		p.reads++
		if err != nil && p.err == nil {
			p.err = fmt.Errorf("concurrent chime %s: %v", strings.Join(args, " "), err)
		}
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// runReader runs one read on one core at the lowest priority (nice 19):
// the commands under test and the harness's kill timer must get a core at
// once, or kills land milliseconds after their drawn moment.
func runReader(args []string) (string, error) {
	bin, err := chimeBinary()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	lowerPriority(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func (p *readerPool) halt() {
	p.once.Do(func() { close(p.done) })
	p.wg.Wait()
}

// failed returns the first reader failure so far.
func (p *readerPool) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// stop stops the readers, fails the test if one failed, and returns the
// number of reads.
func (p *readerPool) stop(t testing.TB) int {
	t.Helper()
	p.halt()
	if err := p.failed(); err != nil {
		t.Fatal(err)
	}
	return p.reads
}

// temps lists the temporary files of db.
func temps(t testing.TB, db string) []string {
	t.Helper()
	entries, err := os.ReadDir(db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

// backdateTemps makes the temporary files of db a minute old: tsdb removes
// only unlocked temporary files older than 10 s, so that it never takes a
// file whose writer has not locked it yet; after this the next writer or
// compaction must remove every one that killed processes left.
func backdateTemps(t testing.TB, db string) {
	t.Helper()
	old := time.Now().Add(-time.Minute)
	for _, name := range temps(t, db) {
		if err := os.Chtimes(filepath.Join(db, name), old, old); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// checkNoTemps fails if db holds a temporary file (I4, after a writer or a
// compaction ran with every leftover backdated).
func checkNoTemps(t testing.TB, db string) {
	t.Helper()
	if left := temps(t, db); len(left) > 0 {
		t.Fatalf("stale temporary files left: %v", left)
	}
}

// checkClean fails if db holds a temporary file or a file that main or
// another transaction file includes (I4, after a compaction).
func checkClean(t testing.TB, db string) {
	t.Helper()
	checkNoTemps(t, db)
	if left := leftovers(t, db); len(left) > 0 {
		t.Fatalf("files already included by another were left: %v", left)
	}
}

// leftovers lists the files of db that main or a transaction file
// includes.
func leftovers(t testing.TB, db string) []string {
	t.Helper()
	names := published(t, db)
	var left []string
	for _, name := range names {
		for _, inc := range included(t, filepath.Join(db, name)) {
			if inc != name && slices.Contains(names, inc) {
				left = append(left, inc)
			}
		}
	}
	slices.Sort(left)
	return left
}

// included reads the included list of a segment file.
func included(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() == 0 {
		return nil // an empty main
	}
	seg, err := segment.Open(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var names []string
	for _, inc := range seg.Included() {
		names = append(names, inc.Name)
	}
	return names
}

// published lists the published files of db: main and transaction files.
func published(t testing.TB, db string) []string {
	t.Helper()
	entries, err := os.ReadDir(db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); n == "main" || strings.HasPrefix(n, "tx.") && !strings.HasSuffix(n, ".tmp") {
			out = append(out, n)
		}
	}
	return out
}
