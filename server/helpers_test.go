package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/tsdb"
)

// env is a Server on a loopback httptest server, with its listener and
// timeouts as chime serve runs them.
type env struct {
	t   testing.TB
	srv *Server
	ts  *httptest.Server
	dir string // the database (Dir mode) or the root
}

// testTimeouts are the env's timeouts unless a test says otherwise.
var testTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second}

// newDirEnv serves a new empty database; mod may change the options.
func newDirEnv(t testing.TB, mod func(*Options)) *env {
	t.Helper()
	return newDirEnvTimeouts(t, testTimeouts, mod)
}

// newDirEnvTimeouts is newDirEnv with the timeouts tm.
func newDirEnvTimeouts(t testing.TB, tm Timeouts, mod func(*Options)) *env {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := tsdb.Init(dir); err != nil {
		t.Fatal(err)
	}
	return newEnv(t, Options{Dir: dir}, tm, mod)
}

// newRootEnv serves a new empty root.
func newRootEnv(t testing.TB, mod func(*Options)) *env {
	t.Helper()
	return newEnv(t, Options{Root: t.TempDir()}, testTimeouts, mod)
}

func newEnv(t testing.TB, o Options, tm Timeouts, mod func(*Options)) *env {
	t.Helper()
	o.DB.NoSync = true
	if mod != nil {
		mod(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = srv.HTTPServer(tm)
	ts.Listener = Listener(ts.Listener)
	ts.Start()
	t.Cleanup(ts.Close)
	dir := o.Dir
	if dir == "" {
		dir = o.Root
	}
	return &env{t: t, srv: srv, ts: ts, dir: dir}
}

// addr is the server's address.
func (e *env) addr() string { return e.ts.Listener.Addr().String() }

// do sends a request (path is sent as it is, escapes included) and
// returns the status and the body. hdr holds header name, value pairs.
func (e *env) do(method, path, body string, hdr ...string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, string(b)
}

// must sends a request that must get status want, and returns the body.
func (e *env) must(want int, method, path, body string, hdr ...string) string {
	e.t.Helper()
	code, got := e.do(method, path, body, hdr...)
	if code != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %q", method, path, code, want, got)
	}
	return got
}

// put writes body to the database at base ("" in Dir mode).
func (e *env) put(base, body string) {
	e.t.Helper()
	if got := e.must(http.StatusCreated, "PUT", base+"/", body); got != "ok" {
		e.t.Fatalf("PUT %s/: body %q, want ok", base, got)
	}
}

// rawResponse is one answer read off a raw connection.
type rawResponse struct {
	code int
	body string
}

// raw sends requests over one raw connection, bypassing Go's client,
// which would refuse or rewrite raw '%' and dot segments. Each request is
// `METHOD TARGET`, then optionally a newline and a body; it gets a Host
// header; the last asks to close the connection.
func (e *env) raw(requests ...string) []rawResponse {
	e.t.Helper()
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	var out []rawResponse
	for i, rq := range requests {
		closing := ""
		if i == len(requests)-1 {
			closing = "Connection: close\r\n"
		}
		rq, body, _ := strings.Cut(rq, "\n")
		if body != "" {
			closing += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n"
		}
		if _, err := io.WriteString(conn, rq+" HTTP/1.1\r\nHost: test\r\n"+closing+"\r\n"+body); err != nil {
			e.t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			e.t.Fatalf("%s: %v", rq, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			e.t.Fatalf("%s: %v", rq, err)
		}
		out = append(out, rawResponse{resp.StatusCode, string(b)})
	}
	return out
}

// fibRows is the quick start's rows as a PUT body, shuffled.
const fibRows = "fibonacci 1578096000000000000 u 3\n" +
	"fibonacci 1577836800000000000 u 1\n" +
	"fibonacci 1578268800000000000 u 8\n" +
	"fibonacci 1577923200000000000 u 1\n" +
	"fibonacci 1578182400000000000 u 5\n" +
	"fibonacci 1578009600000000000 u 2\n"

// fibNanos is how GET prints them.
const fibNanos = "fibonacci\t1577836800000000000\t1\n" +
	"fibonacci\t1577923200000000000\t1\n" +
	"fibonacci\t1578009600000000000\t2\n" +
	"fibonacci\t1578096000000000000\t3\n" +
	"fibonacci\t1578182400000000000\t5\n" +
	"fibonacci\t1578268800000000000\t8\n"
