package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chimeBinary builds chime once for the whole-process tests.
var chimeBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "chime-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "chime")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

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
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%v: %s", err, stderr.String())
	}
	return stdout.String(), nil
}

// killTemplate builds a database with a main, data transactions and a
// delete marker, for the kill tests to copy.
func killTemplate(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "template")
	chime(t, "", "init", db)
	for tx := range 6 {
		var sb strings.Builder
		for k := range 200 {
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

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// TestCompact_Killed kills compactions at random moments, with SIGKILL
// and SIGINT: the database must then read exactly as before or exactly as
// after, and the next compaction must reach the after state, leaving no
// leftover files.
func TestCompact_Killed(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process kill test")
	}
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
	r := rand.New(rand.NewPCG(1, 2))
	interrupted := 0
	for _, c := range cases {
		before := chime(t, "", "-d", template, "read", "%", "--timestamp-nanos")
		after := c.after(before)
		took := timeRun(t, template, c.args)
		for i := range 25 {
			db := filepath.Join(t.TempDir(), "db")
			copyDir(t, template, db)
			sig := []syscall.Signal{syscall.SIGKILL, syscall.SIGINT}[i%2]
			delay := time.Duration(r.Int64N(int64(took) * 5 / 4))
			if killAfter(t, delay, sig, append([]string{"-d", db}, c.args...)...) {
				interrupted++
			}
			got := chime(t, "", "-d", db, "read", "%", "--timestamp-nanos")
			if got != before && got != after {
				t.Fatalf("%v killed by %v after %v: reads neither as before nor as after", c.args, sig, delay)
			}
			chime(t, "", append([]string{"-d", db}, c.args...)...)
			if got := chime(t, "", "-d", db, "read", "%", "--timestamp-nanos"); got != after {
				t.Fatalf("%v after a kill and a rerun: not the after state", c.args)
			}
			checkNoTemps(t, db)
		}
	}
	// Most delays must land while the compaction runs, or the test proves
	// little.
	t.Logf("%d of %d compactions were interrupted", interrupted, 25*len(cases))
	if interrupted < 25*len(cases)/3 {
		t.Fatalf("only %d kills landed during a compaction", interrupted)
	}
}

func same(s string) string { return s }

// timeRun measures one uninterrupted run of args on a copy of template,
// so that kill delays land within a compaction on any machine.
func timeRun(t *testing.T, template string, args []string) time.Duration {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	copyDir(t, template, db)
	start := time.Now()
	chime(t, "", append([]string{"-d", db}, args...)...)
	return max(time.Since(start), time.Millisecond)
}

// killAfter starts chime, sends sig after delay, and waits for it; it
// reports whether the signal interrupted it.
func killAfter(t *testing.T, delay time.Duration, sig syscall.Signal, args ...string) bool {
	t.Helper()
	bin, err := chimeBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(delay, func() { cmd.Process.Signal(sig) })
	err = cmd.Wait()
	timer.Stop()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return false
	}
	if sig == syscall.SIGINT && ee.ExitCode() != 130 && ee.ExitCode() != -1 {
		t.Fatalf("interrupted compaction exited %d, want 130", ee.ExitCode())
	}
	return true
}

// checkNoTemps fails if a temporary file was left behind by a finished
// compaction (the killed one's may remain until the next writer).
func checkNoTemps(t *testing.T, db string) {
	t.Helper()
	entries, err := os.ReadDir(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			info, _ := e.Info()
			if time.Since(info.ModTime()) > 20*time.Second {
				t.Fatalf("stale %s left", e.Name())
			}
		}
	}
}

// TestCompact_ConcurrentReadersWriters runs compactions, some of them
// killed, while a writer adds rows and readers read: no reader or writer
// fails, and every read holds every row acknowledged before it started.
func TestCompact_ConcurrentReadersWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-process test")
	}
	db := filepath.Join(t.TempDir(), "db")
	chime(t, "", "init", db)
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
	for range 2 { // the readers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				mu.Lock()
				want := acked
				mu.Unlock()
				out, err := runChime("", "-d", db, "read", "w%", "--timestamp-nanos")
				if err != nil {
					fail <- fmt.Errorf("reader: %v", err)
					return
				}
				if n := strings.Count(out, "\n"); n < want {
					fail <- fmt.Errorf("reader saw %d rows, %d were acknowledged", n, want)
					return
				}
			}
		}()
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 30 {
		args := []string{"-d", db, "compact"}
		if i%3 == 0 {
			args = append(args, "--major")
		}
		if i%4 == 0 {
			killAfter(t, time.Duration(r.IntN(5000))*time.Microsecond, syscall.SIGKILL, args...)
		} else if _, err := runChime("", args...); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	close(fail)
	for err := range fail {
		t.Fatal(err)
	}
	t.Logf("%d rows committed during 30 compactions", acked)
	out := chime(t, "", "-d", db, "read", "w%", "--timestamp-nanos")
	if n := strings.Count(out, "\n"); n != acked {
		t.Fatalf("%d rows readable, %d acknowledged", n, acked)
	}
}
