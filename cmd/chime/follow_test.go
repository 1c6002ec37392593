package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests of read --follow run chime as a process: TestMain puts this
// test binary on $PATH as "chime" (see script_test.go). They wait on the
// follower's output, never on a clock; the timeouts only end a hung test.

const followTimeout = 20 * time.Second

// runFollowChime runs chime to completion and fails the test on error.
func runFollowChime(t *testing.T, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command("chime", args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chime %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// followProc is a running chime read --follow.
type followProc struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr bytes.Buffer
}

func startFollow(t *testing.T, args ...string) *followProc {
	t.Helper()
	p := &followProc{cmd: exec.Command("chime", args...), lines: make(chan string, 1024)}
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	go func() {
		defer close(p.lines)
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			p.lines <- line
		}
	}()
	return p
}

// expect reads n lines and returns them.
func (p *followProc) expect(t *testing.T, n int) string {
	t.Helper()
	var sb strings.Builder
	timeout := time.After(followTimeout)
	for i := 0; i < n; i++ {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("follower ended after %d of %d lines:\n%s\nstderr: %s", i, n, sb.String(), p.stderr.String())
			}
			sb.WriteString(line)
		case <-timeout:
			t.Fatalf("timed out after %d of %d lines:\n%s", i, n, sb.String())
		}
	}
	return sb.String()
}

// interrupt sends SIGINT and returns the exit status and what was printed
// after the lines already read.
func (p *followProc) interrupt(t *testing.T) (int, string) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for line := range p.lines {
		rest.WriteString(line)
	}
	err := p.cmd.Wait()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, rest.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), rest.String()
	}
	t.Fatal(err)
	return 0, ""
}

func newFollowDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	runFollowChime(t, "", "init", db)
	return db
}

// TestReadFollow prints the rows there are, then those of each new
// transaction that match, in commit order, and exits 130 on ^C.
func TestReadFollow(t *testing.T) {
	db := newFollowDB(t)
	runFollowChime(t, "a 1 1\nb 1 2\n", "-d", db, "add", "-f", "u")
	p := startFollow(t, "-d", db, "read", "a%", "--follow", "--follow-interval", "5ms", "--timestamp-nanos")
	if got := p.expect(t, 1); got != "a\t1\t1\n" {
		t.Fatalf("first print: %q", got)
	}
	runFollowChime(t, "a 2 3\nab 1 4\nb 2 5\n", "-d", db, "add", "-f", "u")
	runFollowChime(t, "", "-d", db, "delete", "a")
	runFollowChime(t, "a 3 6\n", "-d", db, "add", "-f", "u")
	if got, want := p.expect(t, 3), "a\t2\t3\nab\t1\t4\na\t3\t6\n"; got != want {
		t.Fatalf("new rows: got\n%s\nwant\n%s", got, want)
	}
	status, rest := p.interrupt(t)
	if status != exitInterrupted || rest != "" {
		t.Fatalf("after ^C: status %d, more output %q, stderr %q", status, rest, p.stderr.String())
	}
}

// TestReadFollow_JSON: --follow goes on in the chosen output. (The
// first row is there before the follower starts: a row it printed in its
// first print, which ^C interrupts at once by design, would not show
// that it follows, and a ^C sent then would kill it.)
func TestReadFollow_JSON(t *testing.T) {
	db := newFollowDB(t)
	runFollowChime(t, "j 1000000000 0.5\n", "-d", db, "add", "-f", "F")
	p := startFollow(t, "-d", db, "read", "%", "--follow", "--follow-interval", "5ms", "--output", "json")
	first := `{"key":"j","ts":1000000000,"time":"1970-01-01T00:00:01Z","format":"F","values":[0.5]}` + "\n"
	if got := p.expect(t, 1); got != first {
		t.Fatalf("first print: got %s want %s", got, first)
	}
	runFollowChime(t, "k 1000000000 1.5\n", "-d", db, "add", "-f", "F")
	want := `{"key":"k","ts":1000000000,"time":"1970-01-01T00:00:01Z","format":"F","values":[1.5]}` + "\n"
	if got := p.expect(t, 1); got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if status, _ := p.interrupt(t); status != exitInterrupted {
		t.Fatalf("status %d", status)
	}
}

// TestReadFollow_Compactions: while transactions are added and minor and
// major compactions run, every row is printed at most once, and the newest
// row at each (key, time) is printed. (A row that a newer transaction
// overwrote before the follower saw either may be merged away by a
// compaction first, and rows that a compaction merged before the follower
// saw them come out in key order.)
func TestReadFollow_Compactions(t *testing.T) {
	db := newFollowDB(t)
	runFollowChime(t, "k0 0 0\n", "-d", db, "add", "-f", "u")
	p := startFollow(t, "-d", db, "read", "%", "--follow", "--follow-interval", "10ms", "--timestamp-nanos")
	committed := map[string]bool{"k0\t0\t0\n": true}
	newest := map[string]string{"k0\t0": "k0\t0\t0\n"} // by key and time
	const txs = 24
	for i := 1; i <= txs; i++ {
		// Each transaction adds two rows and, from the third on,
		// overwrites one of three transactions before: every row
		// committed is distinct.
		rows := fmt.Sprintf("k%d %d %d\nz %d %d\n", i%3, i, i, i, i)
		if i >= 3 {
			rows = fmt.Sprintf("k%d %d %d\n", i%3, i-3, 1000+i) + rows
		}
		runFollowChime(t, rows, "-d", db, "add", "-f", "u", "--no-sync")
		for line := range strings.Lines(strings.ReplaceAll(rows, " ", "\t")) {
			committed[line] = true
			f := strings.Split(line, "\t")
			newest[f[0]+"\t"+f[1]] = line
		}
		switch i % 4 {
		case 1:
			runFollowChime(t, "", "-d", db, "compact", "--no-sync")
		case 3:
			runFollowChime(t, "", "-d", db, "compact", "--major", "--no-sync")
		}
	}
	got := p.expectAll(t, slices.Collect(maps.Values(newest)))
	status, rest := p.interrupt(t)
	if status != exitInterrupted {
		t.Fatalf("after ^C: status %d", status)
	}
	printed := map[string]bool{}
	for line := range strings.Lines(got + rest) {
		if printed[line] || !committed[line] {
			t.Fatalf("printed twice or never committed: %q in\n%s", line, got+rest)
		}
		printed[line] = true
	}
}

// expectAll reads lines until every one of want has come, and returns
// all it read.
func (p *followProc) expectAll(t *testing.T, want []string) string {
	t.Helper()
	missing := map[string]bool{}
	for _, w := range want {
		missing[w] = true
	}
	var sb strings.Builder
	timeout := time.After(followTimeout)
	for len(missing) > 0 {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("follower ended; got\n%s\nstderr: %s", sb.String(), p.stderr.String())
			}
			sb.WriteString(line)
			delete(missing, line)
		case <-timeout:
			t.Fatalf("timed out without %v; got\n%s", slices.Collect(maps.Keys(missing)), sb.String())
		}
	}
	return sb.String()
}
