package server

import (
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestFixPercent(t *testing.T) {
	for in, want := range map[string]string{
		"":            "",
		"/fib":        "/fib",
		"/fib%":       "/fib%25",
		"/fib%25":     "/fib%25",
		"/%%":         "/%25%25",
		"/a%2":        "/a%252",
		"/a%2F%zz%":   "/a%2F%25zz%25",
		"/%?human":    "/%25?human",
		"/x?filter=%": "/x?filter=%25",
		"/%e2%82%ac%": "/%e2%82%ac%25",
	} {
		if got := string(fixPercent([]byte(in))); got != want {
			t.Errorf("fixPercent(%q) = %q, want %q", in, got, want)
		}
	}
}

// chunkConn returns its chunks one Read at a time, then an error.
type chunkConn struct {
	net.Conn
	chunks []string
	err    error
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, c.err
	}
	n := copy(p, c.chunks[0])
	if c.chunks[0] = c.chunks[0][n:]; c.chunks[0] == "" {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

// readPct reads everything through a pctConn with reads of size n.
func readPct(chunks []string, n int, head bool) string {
	c := &pctConn{Conn: &chunkConn{chunks: slices.Clone(chunks), err: io.EOF}}
	c.head.Store(head)
	var out []byte
	buf := make([]byte, n)
	for {
		k, err := c.Read(buf)
		out = append(out, buf[:k]...)
		if err != nil {
			return string(out)
		}
	}
}

func TestPctConn_Rewrite(t *testing.T) {
	for _, tc := range []struct {
		chunks []string
		head   bool
		want   string
	}{
		{[]string{"GET /fib% HTTP/1.1\r\nHost: x\r\n\r\n"}, true, "GET /fib%25 HTTP/1.1\r\nHost: x\r\n\r\n"},
		{[]string{"GET /fib% HTTP/1.1\r\n"}, false, "GET /fib% HTTP/1.1\r\n"},
		{[]string{"G", "ET /f", "ib%", "?x=%", " HTTP/1.1\r\nX: %\r\n"}, true, "GET /fib%25?x=%25 HTTP/1.1\r\nX: %\r\n"},
		{[]string{"PUT / HTTP/1.1\r\n\r\nk 1 s 100%\n"}, true, "PUT / HTTP/1.1\r\n\r\nk 1 s 100%\n"},
		{[]string{"GET /%25 HTTP/1.1\r\n"}, true, "GET /%25 HTTP/1.1\r\n"},
		{[]string{"GET /unfinished%"}, true, "GET "},
	} {
		for _, size := range []int{1, 3, 4096} {
			if got := readPct(tc.chunks, size, tc.head); got != tc.want {
				t.Errorf("%q (head %v, reads of %d): %q, want %q", tc.chunks, tc.head, size, got, tc.want)
			}
		}
	}
}

// A read interrupted (net/http's background read aborted by a deadline)
// while a target is held keeps it for the next read.
func TestPctConn_InterruptedRead(t *testing.T) {
	cc := &chunkConn{chunks: []string{"GET /a%"}, err: os.ErrDeadlineExceeded}
	c := &pctConn{Conn: cc}
	c.head.Store(true)
	buf := make([]byte, 1)
	var got []byte
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
	}
	cc.chunks, cc.err = []string{"b HTTP/1.1\r\n"}, io.EOF
	rest, _ := io.ReadAll(c)
	if s := string(got) + string(rest); s != "GET /a%25b HTTP/1.1\r\n" {
		t.Errorf("got %q", s)
	}
}

// The request line after a PUT on the same connection is rewritten too,
// and a PUT body with '%' in it is not.
func TestRawPercent_AfterPut(t *testing.T) {
	e := newDirEnv(t, nil)
	got := e.raw("PUT /\nGET% 1 s 100%\nfib 1 u 1\n", "GET /fib%", "GET /GET%", "POST /fib%?delete", "GET /%")
	want := []rawResponse{{201, "ok"}, {200, "fib\t1\t1\n"}, {200, "GET%\t1\t100%\n"}, {200, "ok\n"}, {200, "GET%\t1\t100%\n"}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: %v, want %v", i, got[i], want[i])
		}
	}
	// After a rejected PUT the server closes the connection.
	if got := e.raw("PUT /\nbad"); got[0].code != 400 || !strings.Contains(got[0].body, "line 1") {
		t.Errorf("bad PUT: %v", got[0])
	}
}
