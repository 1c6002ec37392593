package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestServe_Killed SIGKILLs chime serve at random moments while two
// clients PUT rows and a reader reads: after a restart every PUT answered
// 201 is readable (I1), every other PUT is wholly visible or invisible, in
// every read (I2), and the first PUT after the restart leaves no stale
// temporary file (I4).
func TestServe_Killed(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process kill test")
	}
	serveKills{
		name: "serve", kills: 200, perDB: 50, seed: 9,
		newDB: func() string { return newDB(t) },
		// The first PUT after a restart leaves no stale temporary file.
		beforePut: func(db string) { backdateTemps(t, db) },
		afterPut:  func(db string) { checkNoTemps(t, db) },
	}.run(t)
}

// serveKills are rounds of SIGKILLs of chime serve at random moments
// while two clients PUT rows and a reader reads, perDB kills per database
// made by newDB (to keep full reads short), each followed by a restart and
// one PUT between beforePut and afterPut, when set.
type serveKills struct {
	name                string
	kills, perDB        int
	seed                uint64
	newDB               func() string
	beforePut, afterPut func(db string)
}

func (k serveKills) run(t *testing.T) {
	t.Helper()
	const clients = 2
	r := rand.New(rand.NewPCG(k.seed, k.seed+1))
	tally := newKillTally(k.name)
	var cur atomic.Pointer[addModel]
	cur.Store(newAddModel(k.newDB()))
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		m := cur.Load()
		return []string{"-d", m.db, "read", "%", "--timestamp-nanos"}, m.checker()
	})
	var clock killClock // durations of PUTs, clients' side
	srv := startServe(t, cur.Load().db)
	for range clockRuns {
		clock.measured(srv.put(t, cur.Load(), 1))
	}
	for tally.attempts < k.kills {
		if tally.attempts > 0 && tally.attempts%k.perDB == 0 {
			srv.stop(t)
			cur.Load().checkAll(t)
			cur.Store(newAddModel(k.newDB()))
			srv = startServe(t, cur.Load().db)
		}
		m := cur.Load()
		// Kill within the first few PUTs of each client.
		delay := time.Duration(r.Int64N(int64(4 * clock.pick(r))))
		inFlight, rounds := srv.killDuring(t, m, clients, delay, r)
		srv = startServe(t, m.db)
		tally.killed(m.settleServe(t, rounds, inFlight))
		if k.beforePut != nil {
			k.beforePut(m.db)
		}
		clock.measured(srv.put(t, m, r.IntN(len(addSizes))))
		if k.afterPut != nil {
			k.afterPut(m.db)
		}
		if err := readers.failed(); err != nil {
			t.Fatal(err)
		}
	}
	srv.stop(t)
	reads := readers.stop(t)
	cur.Load().checkAll(t)
	tally.report(t, k.kills)
	t.Logf("%s: PUTs took %v; %d concurrent full reads, every one consistent", k.name, &clock, reads)
}

// serveProc is a running chime serve.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed once stderr is drained
}

var servingRE = regexp.MustCompile(`msg=serving address=(\S+)`)

// startServe starts chime serve on a free loopback port and waits until
// it listens. It is killed at the end of the test if still running.
func startServe(t *testing.T, db string) *serveProc {
	t.Helper()
	return startServeArgs(t, "-d", db)
}

// startServeArgs starts chime serve with args (and -l on a free loopback
// port) as startServe does.
func startServeArgs(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(mustBinary(t), append([]string{"serve", "-l", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan struct{})}
	t.Cleanup(func() { p.kill() })
	addr := make(chan string, 1)
	go func() { // drain the access log, so that the server never blocks
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("chime serve exited before listening: %v", cmd.Wait())
		}
		p.url = "http://" + a
	case <-time.After(10 * time.Second):
		t.Fatal("chime serve did not listen within 10 s")
	}
	return p
}

// kill kills the server and waits for it.
func (p *serveProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.cmd.Wait()
}

// stop ends the server with SIGTERM: it must exit with status 0.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("chime serve after SIGTERM: %v", err)
	}
}

// putClient sends each PUT on a new connection, so that a failed dial
// tells a server already dead from one killed during the request.
var putClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true},
	Timeout:   30 * time.Second,
}

// putRound PUTs one round of m and reports its status: nil when answered
// 201, errNotSent when the server was gone before the request, any other
// error when the request was in flight.
func (p *serveProc) putRound(m *addModel, size int) (round, want string, took time.Duration, err error) {
	round, input, want := m.begin(size)
	start := time.Now()
	resp, err := putClient.Do(mustRequest(p.url+"/", putBody(input)))
	took = time.Since(start)
	var op *net.OpError
	switch {
	case errors.As(err, &op) && op.Op == "dial":
		return round, want, took, errNotSent
	case err != nil:
		return round, want, took, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusCreated {
		return round, want, took, fmt.Errorf("%w: PUT answered %d %q", errAnswer, resp.StatusCode, body)
	}
	return round, want, took, err
}

var (
	errNotSent = errors.New("the server was gone before the request")
	errAnswer  = errors.New("unexpected answer")
)

func mustRequest(url, body string) *http.Request {
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	if err != nil {
		panic(err) // a constant URL
	}
	return req
}

// put PUTs one round to its end, checks it (I1) and returns how long the
// client waited.
func (p *serveProc) put(t *testing.T, m *addModel, size int) time.Duration {
	t.Helper()
	round, want, took, err := p.putRound(m, size)
	if err != nil {
		t.Fatalf("PUT %s: %v", round, err)
	}
	m.settle(t, round, want)
	return took
}

// servePut is a PUT of the kill test and how it ended.
type servePut struct {
	round, want string
	err         error
}

// killDuring runs clients that PUT rounds back to back, kills the server
// after delay and waits for the clients. It returns every PUT sent and
// how many were in flight when the server died.
func (p *serveProc) killDuring(t *testing.T, m *addModel, clients int, delay time.Duration, r *rand.Rand) (int, []servePut) {
	t.Helper()
	sizes := make([]int, 64)
	for i := range sizes {
		sizes[i] = r.IntN(len(addSizes))
	}
	var mu sync.Mutex
	var puts []servePut
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i += clients {
				round, want, _, err := p.putRound(m, sizes[i%len(sizes)])
				mu.Lock()
				puts = append(puts, servePut{round, want, err})
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	signalAfter(p.cmd.Process, delay, syscall.SIGKILL)
	<-p.done
	p.cmd.Wait()
	wg.Wait()
	inFlight := 0
	for _, put := range puts {
		switch {
		case put.err == nil, errors.Is(put.err, errNotSent):
		case errors.Is(put.err, errAnswer):
			t.Fatalf("PUT %s: %v", put.round, put.err)
		default:
			inFlight++
		}
	}
	return inFlight, puts
}

// settleServe checks the rounds PUT before a kill, once the server is back:
// answered ones whole (I1), others whole or absent (I2). It returns where
// the kill landed, for the tally.
func (m *addModel) settleServe(t *testing.T, puts []servePut, inFlight int) (string, bool) {
	t.Helper()
	published := 0
	for _, put := range puts {
		got := m.readRound(t, put.round)
		switch {
		case put.err == nil && got != put.want:
			t.Fatalf("I1: PUT %s answered 201 reads %d of its %d rows after a kill", put.round, countLines(got), countLines(put.want))
		case put.err == nil:
			m.set(put.round, roundAcked)
		case errors.Is(put.err, errNotSent) && got != "":
			t.Fatalf("PUT %s, never sent, reads %d rows", put.round, countLines(got))
		case got == put.want:
			m.set(put.round, roundVisible)
			published++
		case got == "":
			m.set(put.round, roundInvisible)
		default:
			t.Fatalf("I2: PUT %s killed in flight reads %d of its %d rows", put.round, countLines(got), countLines(put.want))
		}
	}
	switch {
	case published > 0:
		return "with a PUT published, unanswered", true
	case inFlight > 0:
		return "with a PUT in flight", true
	default:
		return "between PUTs", false
	}
}

// putBody turns add's input lines `KEY TS VALUE` into a PUT body's
// `KEY TS FORMAT VALUE`.
func putBody(input string) string {
	var sb strings.Builder
	for line := range strings.Lines(input) {
		key, rest, _ := strings.Cut(line, " ")
		ts, value, _ := strings.Cut(rest, " ")
		fmt.Fprintf(&sb, "%s %s u %s", key, ts, value)
	}
	return sb.String()
}
