package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRead_Corrupt is the command-line side of the corruption sweep of
// tsdb/corrupt_test.go, on a sample: each file of a small database damaged
// at random (a byte flipped, truncated, its tail zeroed, garbage
// appended), `chime read %` must exit with status 1 and one line naming
// the file and the offset, within a deadline, and print nothing but rows
// of the healthy database, in order (a prefix of its output).
func TestRead_Corrupt(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	chime(t, "", "init", db)
	var sb strings.Builder
	for i := range 300 {
		fmt.Fprintf(&sb, "k%03d %d %d value\\ %d\n", i, i, i*i, i%7)
	}
	chime(t, sb.String(), "-d", db, "add", "-f", "us")
	chime(t, "", "-d", db, "compact", "--major")
	chime(t, "k001 1000 1 x\nk400 5 5 y\n", "-d", db, "add", "-f", "us")
	chime(t, "", "-d", db, "delete", "k01%")
	good := chime(t, "", "-d", db, "read", "%", "--timestamp-nanos")
	names, err := filepath.Glob(filepath.Join(db, "tx.*"))
	names = append(names, filepath.Join(db, "main"))
	if err != nil || len(names) != 3 {
		t.Fatalf("files %v, %v", names, err)
	}
	r := rand.New(rand.NewPCG(4, 2))
	cases := 0
	for _, path := range names {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(path)
		for i := range 15 {
			bad, what := damage(r, data, i)
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"-d", db, "read", "%", "--timestamp-nanos"}
			if i%2 == 1 {
				args = append(args, "--no-mmap")
			}
			stdout, stderr, status := runDeadline(t, 5*time.Second, args...)
			if status != 1 || !strings.HasPrefix(good, stdout) || !strings.HasSuffix(good[:len(stdout)], "\n") && stdout != "" {
				t.Fatalf("%s %s: exit %d, stdout not a prefix of the healthy output (%d of %d bytes); stderr %q",
					name, what, status, len(stdout), len(good), stderr)
			}
			checkErrLine(t, stderr, []string{regexpQuote(name), "corrupt", "offset"})
			cases++
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := chime(t, "", "-d", db, "read", "%", "--timestamp-nanos"); got != good {
		t.Fatal("the restored database reads differently")
	}
	t.Logf("%d damaged reads, all reported", cases)
}

// damage returns a damaged copy of data: kind i%4 of a byte flipped,
// truncated, tail zeroed, garbage appended, at a random place.
func damage(r *rand.Rand, data []byte, i int) ([]byte, string) {
	for {
		bad := slices.Clone(data)
		at := r.IntN(len(data))
		var what string
		switch i % 4 {
		case 0:
			bad[at] ^= byte(1 + r.IntN(255))
			what = fmt.Sprintf("byte %d changed", at)
		case 1:
			bad = bad[:max(at, 1)]
			what = fmt.Sprintf("truncated to %d bytes", len(bad))
		case 2:
			clear(bad[at:])
			what = fmt.Sprintf("zeroed from %d", at)
		case 3:
			bad = append(bad, bytes.Repeat([]byte{byte(r.Uint32())}, 1+at%100)...)
			what = "garbage appended"
		}
		if !bytes.Equal(bad, data) {
			return bad, what
		}
	}
}

// runDeadline runs chime and fails the test if it takes longer than d.
func runDeadline(t *testing.T, d time.Duration, args ...string) (string, string, int) {
	t.Helper()
	bin, err := chimeBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("chime %s took more than %v", strings.Join(args, " "), d)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

func regexpQuote(s string) string { return strings.ReplaceAll(s, ".", `\.`) }
