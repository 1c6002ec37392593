//go:build s3faults

package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3test"
)

// startServer starts a server of the test's own, killed at its end.
func startServer(t *testing.T, o s3test.Options) *s3test.Server {
	t.Helper()
	if _, err := s3test.Binary(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	srv, err := s3test.Start(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.Setenv(t)
	return srv
}

// bgChime is a chime process running in the background.
type bgChime struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
	start  time.Time
	done   chan struct{}
	res    run
}

// startBg starts chime with stdin in the background.
func startBg(t *testing.T, env []string, stdin string, args ...string) *bgChime {
	t.Helper()
	b := &bgChime{cmd: exec.Command(mustBinary(t), args...), done: make(chan struct{})}
	b.cmd.Env = append(os.Environ(), env...)
	b.cmd.Stdin = strings.NewReader(stdin)
	b.cmd.Stdout, b.cmd.Stderr = &b.stdout, &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b.start = time.Now()
	go func() {
		err := b.cmd.Wait()
		b.res = run{stdout: b.stdout.String(), stderr: b.stderr.String(), took: time.Since(b.start), code: b.cmd.ProcessState.ExitCode()}
		if err != nil && b.res.code == 0 {
			b.res.code = -1
		}
		close(b.done)
	}()
	t.Cleanup(func() { b.cmd.Process.Kill(); <-b.done })
	return b
}

// wait waits for the process, at most limit: a command must never hang
// on a dead server.
func (b *bgChime) wait(t *testing.T, limit time.Duration) run {
	t.Helper()
	select {
	case <-b.done:
		return b.res
	case <-time.After(limit):
		b.cmd.Process.Signal(syscall.SIGQUIT)
		<-b.done
		t.Fatalf("chime %s still ran after %v: %s", strings.Join(b.cmd.Args[1:], " "), limit, b.stderr.String())
		return run{}
	}
}

// checkOutcome fails unless a command ended with success or one clear
// line (exit status 1), having printed a prefix of want.
func checkOutcome(t *testing.T, what string, r run, want string) {
	t.Helper()
	switch {
	case r.code == 0 && want != "" && r.stdout != want:
		t.Fatalf("%s succeeded but printed %d rows, want %d", what, countLines(r.stdout), countLines(want))
	case r.code == 0:
	case r.code != exitFailure:
		t.Fatalf("%s: exit %d: %s", what, r.code, r.stderr)
	case !strings.HasPrefix(want, r.stdout):
		t.Fatalf("%s failed after printing rows that are not a prefix of the database's", what)
	default:
		if err := clearFailure(r.stderr); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// TestS3Faults_ServerRestart kills the S3 server (SIGKILL, every
// process) while a full read, an add's multipart upload and a major
// compaction's run at once (the moment drawn once the add's upload has
// started), then starts it again, twice: each command fails with
// one clear line (or succeeds, if it was done with the server), never
// hangs, and prints nothing but a prefix of the rows; after the restart
// nothing acknowledged is lost, the add is all or nothing, the
// compaction changed no row, and retries complete. A dead compactor's
// lease makes compact --no-wait exit 3 until it expires. (A restarted
// SeaweedFS takes some 15 s before it accepts writes again.)
func TestS3Faults_ServerRestart(t *testing.T) {
	srv := startServer(t, s3test.Options{})
	d := newS3DB(t, srv)
	env := []string{"CHIME_S3_PART_SIZE=5MiB"}
	m := newAddModel(d.loc)
	r := rand.New(rand.NewPCG(21, 22))
	for range 3 {
		rd, input, want := m.begin(2)
		chime(t, input, "-d", d.loc, "add", "-f", "u")
		m.settle(t, rd, want)
	}
	rd, input, want := m.bigRound(r)
	chime(t, input, "-d", d.loc, "add", "-f", "s")
	m.settle(t, rd, want)
	chime(t, "", "-d", d.loc, "compact", "--major")
	tally := map[string]int{}
	var restarts []time.Duration
	for range 2 {
		before := readAll(t, d.loc)
		rd, input, want := m.bigRoundOf(r, 120) // some 12 MiB: three parts
		ab := startBg(t, env, input, "-d", d.loc, "add", "-f", "s")
		sleep(300 * time.Millisecond) // the add parses its input first
		cb := startBg(t, env, "", "-d", d.loc, "compact", "--major", "--grace", killGrace.String())
		rb := startBg(t, env, "", "-d", d.loc, "read", "%", "--timestamp-nanos")
		killDuringUpload(t, d, srv, r, ab, "tx.")
		read, add, compaction := rb.wait(t, 2*time.Minute), ab.wait(t, 2*time.Minute), cb.wait(t, 2*time.Minute)
		checkOutcome(t, "a read whose server died", read, before)
		checkOutcome(t, "an add whose server died", add, "")
		checkOutcome(t, "a compaction whose server died", compaction, "")
		start := time.Now()
		if err := srv.Resume(); err != nil {
			t.Fatal(err)
		}
		restarts = append(restarts, time.Since(start).Round(time.Millisecond))
		tally[map[bool]string{true: "read done", false: "read failed"}[read.code == 0]]++
		tally[map[bool]string{true: "compaction done", false: "compaction failed"}[compaction.code == 0]]++

		// The add: all or nothing, then retried if it failed.
		switch got := m.readRound(t, rd); {
		case add.code == 0 && got != want:
			t.Fatalf("acknowledged add %s reads %d of its %d rows after a restart", rd, countLines(got), countLines(want))
		case got != want && got != "":
			t.Fatalf("add %s, killed with its server, reads %d of its %d rows", rd, countLines(got), countLines(want))
		case add.code != 0:
			tally[fmt.Sprintf("add failed, %s", map[bool]string{true: "applied", false: "not applied"}[got == want])]++
			chime(t, input, "-d", d.loc, "add", "-f", "s") // the retry
		default:
			tally["add done"]++
		}
		m.settle(t, rd, want)
		m.checkAll(t)

		// The compaction: no row changed, and a retry completes.
		if compaction.code != 0 && d.has(t, ".compact") {
			// Its lease stays until its TTL passes, unrenewed.
			if nw := runEnv(t, nil, "", "-d", d.loc, "compact", "--no-wait"); nw.code != exitLocked {
				t.Fatalf("compact --no-wait beside a dead compactor's lease: exit %d: %s", nw.code, nw.stderr)
			}
			d.remove(t, ".compact") // as if expired
		}
		chime(t, "", "-d", d.loc, "compact", "--major", "--grace", killGrace.String())
		m.checkAll(t)
		rb = startBg(t, env, "", "-d", d.loc, "read", "%", "--timestamp-nanos")
		if res := rb.wait(t, time.Minute); res.code != 0 {
			t.Fatalf("a read after the restart: %s", res.stderr)
		}
	}
	sweepUploads(t, d)
	m.checkAll(t)
	chime(t, "", "-d", d.loc, "check")
	t.Logf("server killed twice: %v; restarts took %v", tally, restarts)
}

// killDuringUpload kills the server a random moment after a multipart
// upload of a name starting with prefix started (or once b ended, if
// none does first).
func killDuringUpload(t *testing.T, d *s3db, srv *s3test.Server, r *rand.Rand, b *bgChime, prefix string) {
	t.Helper()
	started := func() bool {
		for u := range d.uploads(t) {
			if strings.HasPrefix(u, prefix) {
				return true
			}
		}
		return false
	}
	for !started() {
		select {
		case <-b.done:
			srv.Kill()
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
	sleep(time.Duration(r.Int64N(int64(20 * time.Millisecond))))
	srv.Kill()
}

// TestS3Faults_ReaderRacesCompactions runs full reads in other processes
// while compactions (minor and major) run back to back and a writer
// commits a round of rows before each, on two databases: a big one (a
// main of 8 MiB, which reads fetch block by block) and a small one
// (whose main the opening fetches whole). Every read prints exactly the
// rows of its database at one moment of its run (the first rows and the
// rounds committed up to some round, at least every round acknowledged
// before it started), or fails with one clear line after a prefix of
// them. One reader of each goes through a proxy that holds for 2 s each
// of its block reads of a main and the opening of the first transaction
// after each listing, so that what it reads is replaced and removed
// meanwhile: first with a grace period of 1 ms, where its reads must
// fail cleanly (a block gone) or list again (a transaction gone before
// it opened), then with a minute, where every read must succeed.
func TestS3Faults_ReaderRacesCompactions(t *testing.T) {
	srv := s3test.Shared(t)
	srv.Setenv(t)
	r := rand.New(rand.NewPCG(23, 24))
	dbs := []*raceDB{newRaceDB(t, srv, r, "big", 64, 96<<10), newRaceDB(t, srv, r, "small", 64, 64)}
	proxy := newS3Proxy(t, srv.Endpoint, 2*time.Second)
	listed := false
	proxy.setPlan(func(a *attempt) fault {
		switch {
		case a.op == "LIST":
			listed = true
		case a.op == "GET" && strings.Contains(a.key, "/main.") && a.ranged && !a.tail:
			return delayBefore // a block of a main
		case a.op == "GET" && strings.Contains(a.key, "/tx.") && listed:
			listed = false
			return delayBefore // the first transaction opened after a listing
		}
		return pass
	})
	slowEnv := s3test.EnvFor(proxy.URL)
	for _, grace := range []time.Duration{time.Millisecond, time.Minute} {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, rdb := range dbs {
			rdb.exact, rdb.failed, rdb.slowFailed = 0, 0, 0
			for _, env := range [][]string{nil, slowEnv} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rdb.readUntil(t, stop, env, grace)
				}()
			}
		}
		compactions := 0
		// Ten seconds; with the short grace period, until a held read has
		// failed (at most a minute).
		short, end, limit := grace < time.Second, time.Now().Add(10*time.Second), time.Now().Add(time.Minute)
		heldFailed := func() bool {
			dbs[0].mu.Lock()
			defer dbs[0].mu.Unlock()
			return dbs[0].slowFailed > 0
		}
		for ; (time.Now().Before(end) || short && !heldFailed() && time.Now().Before(limit)) && !t.Failed(); compactions++ {
			for _, rdb := range dbs {
				rdb.commit(t)
				args := []string{"-d", rdb.d.loc, "compact", "--grace", grace.String()}
				if compactions%4 == 3 {
					// A major, then a minor that sweeps what it replaced
					// at once past a short grace period.
					chime(t, "", append(args, "--major")...)
				}
				chime(t, "", args...)
			}
		}
		close(stop)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		for _, rdb := range dbs {
			t.Logf("%s database, grace %v: %d compactions; %d reads exact, %d failed with one clear line (%d of them held by the proxy)", rdb.name, grace, compactions, rdb.exact, rdb.failed, rdb.slowFailed)
			if rdb.exact == 0 {
				t.Fatalf("%s database, grace %v: no read completed", rdb.name, grace)
			}
			if grace < time.Second && rdb.name == "big" && rdb.slowFailed == 0 {
				t.Fatal("no read held past a grace period of 1 ms failed: the test missed what it tests")
			}
			if grace >= time.Minute && rdb.failed > 0 {
				t.Fatalf("%s database: %d reads shorter than the grace period failed", rdb.name, rdb.failed)
			}
		}
	}
	for _, rdb := range dbs {
		if got := readAll(t, rdb.d.loc); got != rdb.want {
			t.Fatalf("the %s database reads %d rows, %d were committed", rdb.name, countLines(got), countLines(rdb.want))
		}
	}
}

// raceDB is a database of the race test and what it must read as.
type raceDB struct {
	name      string
	d         *s3db
	m         *addModel
	mu        sync.Mutex
	want      string // every row in key order: the first rows, then the rounds
	ends      []int  // ends[k]: where round k ends in want
	committed atomic.Int64

	exact, failed, slowFailed int64 // this phase's reads, under mu
}

// newRaceDB makes a database of rows strings of size bytes (random,
// base64), compacted into its main.
func newRaceDB(t *testing.T, srv *s3test.Server, r *rand.Rand, name string, rows, size int) *raceDB {
	t.Helper()
	rdb := &raceDB{name: name, d: newS3DB(t, srv).sub(t, name)}
	rdb.m = newAddModel(rdb.d.loc)
	var in, out strings.Builder
	raw := make([]byte, size)
	for i := range rows {
		for j := range raw {
			raw[j] = byte(r.Uint32())
		}
		v := base64.RawURLEncoding.EncodeToString(raw)
		fmt.Fprintf(&in, "A%03d 1 %s\n", i, v)
		fmt.Fprintf(&out, "A%03d\t1\t%s\n", i, v)
	}
	chime(t, in.String(), "-d", rdb.d.loc, "add", "-f", "s")
	chime(t, "", "-d", rdb.d.loc, "compact", "--major")
	rdb.want = out.String()
	rdb.ends = []int{len(rdb.want)}
	return rdb
}

// commit adds the next round (keys after every earlier row's).
func (rdb *raceDB) commit(t *testing.T) {
	t.Helper()
	round, input, rows := rdb.m.begin(1)
	rdb.mu.Lock()
	rdb.want += rows
	rdb.ends = append(rdb.ends, len(rdb.want))
	rdb.mu.Unlock()
	chime(t, input, "-d", rdb.d.loc, "add", "-f", "u")
	rdb.m.settle(t, round, rows)
	rdb.committed.Add(1)
}

// readUntil reads the database in a loop until stop, checking each read.
func (rdb *raceDB) readUntil(t *testing.T, stop <-chan struct{}, env []string, grace time.Duration) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		acked := int(rdb.committed.Load())
		res, err := raceRead(rdb.d.loc, env)
		if err != nil {
			t.Error(err)
			return
		}
		rdb.mu.Lock()
		all, ends := rdb.want, rdb.ends // every round started by now
		rdb.mu.Unlock()
		switch {
		case res.code == 0 && !slices.ContainsFunc(ends[acked:], func(e int) bool { return res.stdout == all[:e] }):
			t.Errorf("a read of the %s database racing compactions printed %d rows: not the database at any moment of the read", rdb.name, countLines(res.stdout))
			return
		case res.code == 0:
			rdb.count(&rdb.exact)
		case res.code != exitFailure || !strings.HasPrefix(all, res.stdout):
			t.Errorf("a read of the %s database racing compactions failed (exit %d) after printing rows that are not a prefix of the database's: %s", rdb.name, res.code, res.stderr)
			return
		default:
			if err := clearFailure(res.stderr); err != nil {
				t.Error(err)
				return
			}
			if rdb.count(&rdb.failed) == 1 {
				t.Logf("%s database, grace %v: a read failed: %s", rdb.name, grace, strings.TrimSpace(res.stderr))
			}
			if env != nil {
				rdb.count(&rdb.slowFailed)
			}
		}
	}
}

func (rdb *raceDB) count(n *int64) int64 {
	rdb.mu.Lock()
	defer rdb.mu.Unlock()
	*n++
	return *n
}

// raceRead runs one full read with extra environment.
func raceRead(loc string, env []string) (run, error) {
	bin, err := chimeBinary()
	if err != nil {
		return run{}, err
	}
	cmd := exec.Command(bin, "-d", loc, "read", "%", "--timestamp-nanos")
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return run{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}, nil
}

// TestS3Faults_MultiNode runs a cluster of one master, filer and S3
// gateway and three volume servers with replication 001 (two copies of
// everything, on different servers), and kills one volume server in the
// middle of full reads: every read goes on to print exactly the rows,
// and so do reads afterwards; nothing is lost.
func TestS3Faults_MultiNode(t *testing.T) {
	srv := startServer(t, s3test.Options{Volumes: 3, Replication: "001"})
	d := newS3DB(t, srv)
	m := newAddModel(d.loc)
	r := rand.New(rand.NewPCG(25, 26))
	// Some 30 MiB in several files: the filer splits them in 4 MiB
	// chunks, spread over the volumes.
	for i := range 4 {
		rd, input, want := m.bigRound(r)
		chime(t, input, "-d", d.loc, "add", "-f", "s")
		m.settle(t, rd, want)
		if i == 1 {
			chime(t, "", "-d", d.loc, "compact", "--major")
		}
	}
	for range 3 {
		rd, input, want := m.begin(2)
		chime(t, input, "-d", d.loc, "add", "-f", "u")
		m.settle(t, rd, want)
	}
	want := readAll(t, d.loc)
	var readTook time.Duration
	for range 3 {
		readTook = max(readTook, runEnv(t, nil, "", "-d", d.loc, "read", "%", "--timestamp-nanos").took)
	}
	victim := r.IntN(3)
	held := checkReplicated(t, srv, victim)
	readers := make([]*bgChime, 3)
	for i := range readers {
		readers[i] = startBg(t, nil, "", "-d", d.loc, "read", "%", "--timestamp-nanos")
		sleep(readTook / 4)
	}
	srv.KillVolume(victim)
	for i, b := range readers {
		if res := b.wait(t, 2*time.Minute); res.code != 0 || res.stdout != want {
			t.Fatalf("read %d, with volume server %d killed mid-read: exit %d, %d rows of %d: %s", i, victim, res.code, countLines(res.stdout), countLines(want), res.stderr)
		}
	}
	for i := range 3 {
		if got := readAll(t, d.loc); got != want {
			t.Fatalf("read %d after volume server %d died: %d rows of %d", i, victim, countLines(got), countLines(want))
		}
	}
	t.Logf("volume server %d of 3 (%.1f MiB of volumes) killed mid-read: %d reads in flight and 3 after printed every row", victim, float64(held)/(1<<20), len(readers))
}

// checkReplicated checks that volume server victim holds data, each of
// its volumes also held by another server, and returns how many bytes.
func checkReplicated(t *testing.T, srv *s3test.Server, victim int) int64 {
	t.Helper()
	sizes := make([]map[string]int64, 3)
	for i := range sizes {
		sizes[i] = map[string]int64{}
		matches, _ := filepath.Glob(filepath.Join(srv.VolumeDir(i), "*.dat"))
		for _, p := range matches {
			if st, err := os.Stat(p); err == nil {
				sizes[i][filepath.Base(p)] = st.Size()
			}
		}
	}
	var held int64
	for name, n := range sizes[victim] {
		if n <= 8 {
			continue // an empty volume: its superblock
		}
		held += n
		if sizes[(victim+1)%3][name] == 0 && sizes[(victim+2)%3][name] == 0 {
			t.Fatalf("volume %s of server %d has no replica", name, victim)
		}
	}
	if held < 1<<20 {
		t.Fatalf("volume server %d holds %d bytes: killing it would prove nothing", victim, held)
	}
	return held
}
