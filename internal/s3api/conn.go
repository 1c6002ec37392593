package s3api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// The timeout of a request bounds its silence, not its length: each
// connection fails a read or a write once nothing moved either way for
// the timeout. A large range or part on a slow link takes what it takes
// while its bytes flow; a server or a network that stalls fails the
// attempt, which is retried, and the attempts are bounded: no request
// waits for ever.

// idleConn is a connection whose reads and writes fail once nothing
// moved either way for timeout: each read and write pushes the deadline
// of both on, so that a write in progress keeps alive the read that
// waits for the reply, and the reply's bytes keep the read alive.
type idleConn struct {
	net.Conn
	timeout time.Duration
}

func (c *idleConn) Read(b []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Read(b)
	return n, c.stalled(err)
}

func (c *idleConn) Write(b []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Write(b)
	return n, c.stalled(err)
}

func (c *idleConn) stalled(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &stallError{after: c.timeout}
	}
	return err
}

// idleDialer dials connections that fail once silent for timeout.
func idleDialer(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &idleConn{Conn: c, timeout: timeout}, nil
	}
}

// stallError is a request attempt during which nothing moved for the
// timeout: the server or the network stalled. A net.Error whose Timeout
// is true; retried.
type stallError struct{ after time.Duration }

func (e *stallError) Error() string   { return fmt.Sprintf("nothing moved for %v", e.after) }
func (e *stallError) Timeout() bool   { return true }
func (e *stallError) Temporary() bool { return true }
