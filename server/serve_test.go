package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serving runs Serve on a loopback listener until the returned cancel is
// called; wait returns Serve's result.
func serving(t *testing.T, o Options, tm Timeouts) (addr string, cancel func(), wait func() error) {
	t.Helper()
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, tm) }()
	t.Cleanup(cancel)
	return ln.Addr().String(), cancel, func() error { return <-done }
}

func dirOptions(t *testing.T) Options {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := tsdb.Init(dir); err != nil {
		t.Fatal(err)
	}
	return Options{Dir: dir, DB: tsdb.Options{NoSync: true}}
}

func readAll(t *testing.T, dir string) string {
	t.Helper()
	db, err := tsdb.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var out []byte
	rf := &text.RowFormatter{}
	err = snap.ScanAppend(&tsdb.Selector{}, 1, rf.AppendRows, func(b []byte) error {
		out = append(out, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A shutdown (SIGTERM) lets a write in flight finish and be acknowledged;
// Serve returns once it is.
func TestServe_ShutdownDrainsWrites(t *testing.T) {
	var log syncBuffer
	o := dirOptions(t)
	o.Log = slog.New(slog.NewTextHandler(&log, nil))
	addr, cancel, wait := serving(t, o, Timeouts{Grace: 10 * time.Second})
	body := "k 1 u 1\nk 2 u 2\n"
	conn, br := slowPut(t, addr, len(body))
	io.WriteString(conn, body[:5])
	cancel()
	if code := finish(t, conn, br, body[5:]); code != http.StatusCreated {
		t.Errorf("PUT in flight at shutdown: %d, want 201", code)
	}
	if err := wait(); err != nil {
		t.Errorf("Serve: %v", err)
	}
	if got := readAll(t, o.Dir); got != "k\t1\t1\nk\t2\t2\n" {
		t.Errorf("rows after shutdown: %q", got)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("still accepting connections after Serve returned")
	}
	if l := log.String(); !strings.Contains(l, "method=PUT") || !strings.Contains(l, "status=201") {
		t.Errorf("access log:\n%s", l)
	}
}

// A write still unfinished when the grace period ends is cut off, never
// acknowledged, and leaves nothing behind.
func TestServe_ShutdownGraceEnds(t *testing.T) {
	o := dirOptions(t)
	addr, cancel, wait := serving(t, o, Timeouts{Grace: 100 * time.Millisecond})
	conn, br := slowPut(t, addr, 100)
	io.WriteString(conn, "k 1 u")
	cancel()
	if err := wait(); err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("Serve: %v, want requests cut off", err)
	}
	if resp, err := http.ReadResponse(br, nil); err == nil && resp.StatusCode < 300 {
		t.Errorf("cut-off PUT answered %d", resp.StatusCode)
	}
	if got := readAll(t, o.Dir); got != "" {
		t.Errorf("rows of a cut-off PUT: %q", got)
	}
}

func TestAccessLog(t *testing.T) {
	var log syncBuffer
	e := newDirEnv(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&log, nil)) })
	e.put("", "k 1 u 1\n")
	e.must(http.StatusBadRequest, "PUT", "/", "k x u 1\n")
	e.must(http.StatusOK, "GET", "/k?human", "")
	l := log.String()
	for _, want := range []string{"method=PUT uri=/ status=201", `status=400`, `error="line 1`, "uri=/k?human status=200 bytes=24"} {
		if !strings.Contains(l, want) {
			t.Errorf("access log lacks %q:\n%s", want, l)
		}
	}
}
