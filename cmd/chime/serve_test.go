package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe_Process runs `chime serve` as a whole process: it writes and
// reads over HTTP, then stops on SIGTERM with status 0.
func TestServe_Process(t *testing.T) {
	bin, err := chimeBinary()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "db")
	chime(t, "", "init", db)
	cmd := exec.Command(bin, "serve", "-d", db, "-l", "127.0.0.1:0", "--token", "t0k")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	addr := waitLine(t, lines, regexp.MustCompile(`msg=serving address=(\S+)`))
	url := "http://" + addr
	if code, body := request(t, "PUT", url+"/", "fibonacci 1577923200000000000 u 1\nfibonacci 1577836800000000000 u 1\n", "t0k"); code != 201 || body != "ok" {
		t.Fatalf("PUT: %d %q", code, body)
	}
	if code, body := request(t, "GET", url+"/fib%25?human", "", "t0k"); code != 200 || body != "fibonacci\t2020-01-01T00:00:00\t1\nfibonacci\t2020-01-02T00:00:00\t1\n" {
		t.Errorf("GET: %d %q", code, body)
	}
	if code, _ := request(t, "GET", url+"/fib%25", "", "wrong"); code != 401 {
		t.Errorf("GET with a wrong token: %d", code)
	}
	if got := chime(t, "", "-d", db, "read", "fibonacci", "--timestamp-nanos"); got != "fibonacci\t1577836800000000000\t1\nfibonacci\t1577923200000000000\t1\n" {
		t.Errorf("chime read after PUT: %q", got)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitLine(t, lines, regexp.MustCompile(`msg=stopped`))
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("chime serve after SIGTERM: %v, want status 0", err)
	}
}

// waitLine returns the first submatch of the first line matching re, for
// at most 10 seconds.
func waitLine(t *testing.T, lines <-chan string, re *regexp.Regexp) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("stderr ended before a line matching %s", re)
			}
			if m := re.FindStringSubmatch(line); m != nil {
				return m[len(m)-1]
			}
		case <-timeout:
			t.Fatalf("no line matching %s on stderr", re)
		}
	}
}

// request sends one request with a bearer token.
func request(t *testing.T, method, url, body, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
