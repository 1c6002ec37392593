package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
)

// sonnerie clients ask for `GET /fib%`: sonnerie-serve took the path raw.
// Go's HTTP server refuses such a request line (a '%' must start an
// escape) with 400 before any handler runs, so the fix has to happen
// below net/http: Listener's connections rewrite, in the request line of
// each request, every '%' that starts no valid escape into "%25", which the
// router then decodes back to '%'.
//
// A connection knows where a request line starts from the server itself:
// the first bytes of a connection, and the first bytes read after the
// previous request's handler returned having read its whole body (see
// markRequestDone). Bytes of a body are never rewritten. A client that
// pipelines requests (sends one before the previous answer arrived) may
// see its later raw '%' refused, as without this listener.

// Listener wraps ln, a listener of plain-text HTTP connections (wrap the
// decrypted side when using TLS), so that request lines with a bare '%'
// are accepted. Use it with ConnContext as the http.Server's ConnContext;
// HTTPServer does both.
func Listener(ln net.Listener) net.Listener { return &pctListener{ln} }

type pctListener struct{ net.Listener }

func (l *pctListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	pc := &pctConn{Conn: c}
	pc.head.Store(true)
	return pc, nil
}

// ConnContext records a Listener connection in the context of its
// requests, so that the server can tell it where the next request starts.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if pc, ok := c.(*pctConn); ok {
		return context.WithValue(ctx, connKey{}, pc)
	}
	return ctx
}

type connKey struct{}

// maxTarget bounds the request target the connection holds back to
// rewrite; beyond it the target passes on as it comes (and net/http
// refuses it: its headers are bounded to 64 KiB).
const maxTarget = 64 << 10

// Where a connection is in the request line it rewrites.
const (
	lineOutside = iota // not in a request line: bytes pass unchanged
	lineMethod         // in the method: bytes pass until the first space
	lineTarget         // in the target: held until it ends, then rewritten
	lineVersion        // after the target: bytes pass until the newline
)

// pctConn rewrites the request line of each request as it streams
// through, holding back only the target. Reads come from one goroutine at
// a time (net/http's connection reader); head is set from the handler's
// goroutine. A read interrupted while a target is held (net/http aborts
// its background read with a deadline) keeps it for the next read.
type pctConn struct {
	net.Conn
	head  atomic.Bool // the next bytes read start a request
	phase int
	held  []byte // the part of the target read so far
	out   []byte // rewritten bytes not yet returned
}

func (c *pctConn) Read(p []byte) (int, error) {
	for {
		if len(c.out) > 0 {
			n := copy(p, c.out)
			c.out = c.out[n:]
			return n, nil
		}
		n, err := c.Conn.Read(p)
		// head is checked after the read: the next request can only
		// arrive once the previous answer was sent, after the handler
		// returned and set it.
		if n > 0 && c.phase == lineOutside && c.head.Swap(false) {
			c.phase = lineMethod
		}
		if c.phase == lineOutside || n == 0 {
			return n, err
		}
		c.out = c.rewrite(c.out[:0], p[:n])
		if len(c.out) == 0 && err != nil {
			return 0, err
		}
		// With bytes in hand an error is dropped: the next read of the
		// connection reports it again (EOF, a reset, a passed deadline).
	}
}

// rewrite appends the bytes of b to out, rewritten as the phase says.
func (c *pctConn) rewrite(out, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		ch := b[i]
		switch c.phase {
		case lineOutside:
			return append(out, b[i:]...)
		case lineMethod:
			out = append(out, ch)
			if ch == ' ' {
				c.phase = lineTarget
			} else if ch == '\n' {
				c.phase = lineOutside
			}
		case lineTarget:
			if ch != ' ' && ch != '\n' && len(c.held) < maxTarget {
				c.held = append(c.held, ch)
				continue
			}
			out = append(out, fixPercent(c.held)...)
			out = append(out, ch)
			c.held = c.held[:0]
			c.phase = lineVersion
			if ch == '\n' {
				c.phase = lineOutside
			}
		case lineVersion:
			out = append(out, ch)
			if ch == '\n' {
				c.phase = lineOutside
			}
		}
	}
	return out
}

// fixPercent replaces every '%' of s that is not followed by two hex
// digits by "%25"; it returns s itself when there is none.
func fixPercent(s []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			continue
		}
		out = append(out, s[last:i]...)
		out = append(out, "%25"...)
		last = i + 1
	}
	if out == nil {
		return s
	}
	return append(out, s[last:]...)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// eofBody records that a request body was read to its end.
type eofBody struct {
	io.ReadCloser
	eof bool
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// trackRequest prepares r for markRequestDone: it returns the request to
// pass on and the function to call once its handler returned.
func trackRequest(r *http.Request) (*http.Request, func()) {
	c, _ := r.Context().Value(connKey{}).(*pctConn)
	if c == nil {
		return r, func() {}
	}
	if r.Body == nil || r.Body == http.NoBody {
		return r, func() { c.head.Store(true) }
	}
	body := &eofBody{ReadCloser: r.Body}
	r2 := r.WithContext(r.Context()) // a shallow copy
	r2.Body = body
	return r2, func() {
		// A body left unread is discarded or the connection closed by
		// net/http; its bytes must not be taken for a request line.
		if body.eof {
			c.head.Store(true)
		}
	}
}
