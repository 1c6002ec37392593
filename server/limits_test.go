package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/tsdb"
)

// onlyReader hides a body's length, so that the client sends it chunked.
type onlyReader struct{ io.Reader }

func TestLimits_Body(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.MaxBody = 100 })
	big := strings.Repeat("k 1 u 1\n", 20)
	code, got := e.do("PUT", "/", big)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(got, "100 bytes") {
		t.Errorf("PUT of %d bytes: %d %q, want 413", len(big), code, got)
	}
	req, _ := http.NewRequest("PUT", e.ts.URL+"/", onlyReader{strings.NewReader(big)})
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked PUT of %d bytes: %d, want 413", len(big), resp.StatusCode)
	}
	e.put("", "k 1 s "+strings.Repeat("x", 93)+"\n") // exactly the limit
}

func TestLimits_Line(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.MaxLine = 20 })
	code, got := e.do("PUT", "/", "k 1 u 1\nk 2 s "+strings.Repeat("x", 20)+"\n")
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(got, "line 2") {
		t.Errorf("PUT with a long line: %d %q, want 413 naming line 2", code, got)
	}
}

// slowPut starts a PUT on a raw connection and returns once the handler
// reads its body (it answered 100 Continue), so holds a write slot.
func slowPut(t *testing.T, addr string, length int) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "PUT / HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", length)
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("slow PUT: %q, %v; want 100 Continue", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("slow PUT: %q after 100 Continue", blank)
	}
	return conn, br
}

// finish sends the rest of a slow PUT and returns its status.
func finish(t *testing.T, conn net.Conn, br *bufio.Reader, rest string) int {
	t.Helper()
	if _, err := io.WriteString(conn, rest); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A client trickling a body holds one write slot; reads and other writes
// go on meanwhile.
func TestLimits_SlowClient(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.MaxWriters = 2 })
	body := "slow 1 u 1\nslow 2 u 2\n"
	conn, br := slowPut(t, e.addr(), len(body))
	for i, c := range body[:len(body)-1] {
		io.WriteString(conn, string(c))
		if i%4 == 0 {
			e.put("", fmt.Sprintf("fast %d u %d\n", i, i))
			e.must(http.StatusOK, "GET", "/fast", "")
		}
	}
	if got := e.must(http.StatusOK, "GET", "/slow", ""); got != "" {
		t.Errorf("rows of an unfinished PUT visible: %q", got)
	}
	if code := finish(t, conn, br, body[len(body)-1:]); code != http.StatusCreated {
		t.Errorf("slow PUT: %d, want 201", code)
	}
	if got := e.must(http.StatusOK, "GET", "/slow", ""); got != "slow\t1\t1\nslow\t2\t2\n" {
		t.Errorf("slow rows: %q", got)
	}
}

// With every slot held, a write waits WriterWait, then gets 503.
func TestLimits_Writers(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.MaxWriters = 1; o.WriterWait = 50 * time.Millisecond })
	body := "a 1 u 1\n"
	conn, br := slowPut(t, e.addr(), len(body))
	resp, err := e.ts.Client().Do(mustRequest(t, "PUT", e.ts.URL+"/", "b 1 u 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("PUT with no slot: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.must(http.StatusServiceUnavailable, "POST", "/a?delete", "")
	e.must(http.StatusOK, "GET", "/a", "")
	if code := finish(t, conn, br, body); code != http.StatusCreated {
		t.Errorf("slow PUT: %d", code)
	}
	e.put("", "b 1 u 1\n")
}

// A client that stops sending is cut off at the read timeout, and its slot
// is free again.
func TestLimits_ReadTimeout(t *testing.T) {
	e := newDirEnvTimeouts(t, Timeouts{Read: 300 * time.Millisecond}, func(o *Options) { o.MaxWriters = 1 })
	conn, br := slowPut(t, e.addr(), 100)
	io.WriteString(conn, "stalled 1 u")
	if resp, err := http.ReadResponse(br, nil); err == nil && resp.StatusCode < 400 {
		t.Errorf("stalled PUT answered %d", resp.StatusCode)
	}
	e.put("", "b 1 u 1\n")
	if got := e.must(http.StatusOK, "GET", "/stalled", ""); got != "" {
		t.Errorf("rows of a stalled PUT: %q", got)
	}
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// A compaction running longer than the read timeout goes on: the
// timeout bounds reading the request, not the work it asks for.
func TestLimits_LongCompaction(t *testing.T) {
	e := newDirEnvTimeouts(t, Timeouts{Read: 100 * time.Millisecond}, func(o *Options) {
		o.Compact = func(ctx context.Context, _ *tsdb.DB, _ CompactOptions) (string, error) {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(400 * time.Millisecond):
				return "done", nil
			}
		}
	})
	if got := e.must(http.StatusOK, "POST", "/?compact", ""); got != "done\n" {
		t.Errorf("compaction: %q", got)
	}
}

// The deadline of a streamed answer's writes does not outlive it (net/http
// lifts it): a kept-alive connection serves its next request after it.
func TestLimits_WriteDeadlineLifted(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.WriteTimeout = 50 * time.Millisecond })
	e.put("", "k 1 u 1\n")
	conn, err := net.Dial("tcp", e.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	// The second answer has no rows: nothing in the handler writes, so
	// nothing sets a new deadline before net/http sends it.
	for i, path := range []string{"/k", "/none"} {
		if i == 1 {
			<-time.After(100 * time.Millisecond) // past the first answer's deadline
		}
		io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: test\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
}
