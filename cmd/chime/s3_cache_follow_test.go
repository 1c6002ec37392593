package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestS3_Cache: --cache DIR keeps what a read fetched, so that the same
// read again sends no GET (only the LIST, which must see new files) and
// prints the same rows; a new transaction is fetched and then cached.
func TestS3_Cache(t *testing.T) {
	loc := s3Location(t)
	chime(t, "", "init", loc)
	chime(t, "a 1 1\nb 2 2\n", "-d", loc, "add", "-f", "u")
	chime(t, "", "-d", loc, "compact", "--major")
	cache := filepath.Join(t.TempDir(), "cache")
	read := func() (string, map[string]int) {
		t.Helper()
		cmd := exec.Command(mustBinary(t), "--cache", cache, "-d", loc, "read", "%", "--timestamp-nanos")
		cmd.Env = append(os.Environ(), "CHIME_S3_REQUESTS=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("read --cache: %v: %s", err, stderr.String())
		}
		return string(out), requestCounts(t, stderr.String())
	}
	first, n1 := read()
	if first != "a\t1\t1\nb\t2\t2\n" || n1["GET"] == 0 {
		t.Fatalf("first read: %q, requests %v", first, n1)
	}
	again, n2 := read()
	if again != first || n2["GET"] != 0 || n2["LIST"] != 1 {
		t.Fatalf("second read: %q, requests %v; want the same rows and no GET", again, n2)
	}
	chime(t, "c 3 3\n", "-d", loc, "add", "-f", "u")
	third, n3 := read()
	if third != first+"c\t3\t3\n" || n3["GET"] == 0 {
		t.Fatalf("after an add: %q, requests %v", third, n3)
	}
	if _, n4 := read(); n4["GET"] != 0 {
		t.Fatalf("the new transaction was not cached: requests %v", n4)
	}
}

// requestCounts parses CHIME_S3_REQUESTS's line: "s3 requests: N (GET 2,
// LIST 1)".
func requestCounts(t *testing.T, stderr string) map[string]int {
	t.Helper()
	line := regexp.MustCompile(`s3 requests: \d+ \(([^)]*)\)`).FindStringSubmatch(stderr)
	if line == nil {
		t.Fatalf("no request count in %q", stderr)
	}
	counts := map[string]int{}
	for _, m := range regexp.MustCompile(`([A-Z-]+) (\d+)`).FindAllStringSubmatch(line[1], -1) {
		n, _ := strconv.Atoi(m[2])
		counts[m[1]] = n
	}
	return counts
}

// TestS3_Follow: read --follow on s3:// prints the rows there are, then
// each new transaction's, and exits 130 on ^C.
func TestS3_Follow(t *testing.T) {
	loc := s3Location(t)
	chime(t, "", "init", loc)
	chime(t, "a 1 1\n", "-d", loc, "add", "-f", "u")
	p := startFollow(t, "-d", loc, "read", "%", "--follow", "--follow-interval", "20ms", "--timestamp-nanos")
	if got := p.expect(t, 1); got != "a\t1\t1\n" {
		t.Fatalf("first print: %q", got)
	}
	chime(t, "a 2 2\nb 1 3\n", "-d", loc, "add", "-f", "u")
	chime(t, "", "-d", loc, "compact", "--major")
	chime(t, "c 1 4\n", "-d", loc, "add", "-f", "u")
	if got, want := p.expect(t, 3), "a\t2\t2\nb\t1\t3\nc\t1\t4\n"; got != want {
		t.Fatalf("followed: got\n%s\nwant\n%s", got, want)
	}
	if status, rest := p.interrupt(t); status != exitInterrupted || rest != "" {
		t.Fatalf("after ^C: status %d, more output %q, stderr %q", status, rest, p.stderr.String())
	}
}
