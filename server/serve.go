package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Timeouts bound what slow or idle clients can hold; zero values take the
// defaults.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers (default 10 s).
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included (default 5 min:
	// a 64 MiB body at 256 KiB/s). net/http lifts it once the body is
	// read, so long reads and compactions run on.
	Read time.Duration
	// Idle bounds how long a kept-alive connection waits for its next
	// request (default 2 min).
	Idle time.Duration
	// Grace is how long a shutdown waits for requests in flight before
	// cutting them off (default 30 s).
	Grace time.Duration
}

// Default timeouts.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultGrace             = 30 * time.Second
)

func (t *Timeouts) setDefaults() {
	t.ReadHeader = cmp.Or(t.ReadHeader, DefaultReadHeaderTimeout)
	t.Read = cmp.Or(t.Read, DefaultReadTimeout)
	t.Idle = cmp.Or(t.Idle, DefaultIdleTimeout)
	t.Grace = cmp.Or(t.Grace, DefaultGrace)
}

// HTTPServer returns an http.Server for s with the timeouts t, ready to
// serve a Listener (ConnContext is set). Net/http's own messages go to the
// access log.
func (s *Server) HTTPServer(t Timeouts) *http.Server {
	t.setDefaults()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       ConnContext,
	}
	if s.o.Log != nil {
		hs.ErrorLog = slog.NewLogLogger(s.o.Log.Handler(), slog.LevelWarn)
	}
	return hs
}

// Serve serves on ln until ctx is done, then shuts down gracefully: it
// stops accepting connections, lets the requests in flight finish for up
// to t.Grace, cuts off what remains, and returns once every write has
// ended, so that the process can exit without interrupting a commit.
// Every acknowledged write was committed before its answer was sent; a
// write cut off was never acknowledged.
func (s *Server) Serve(ctx context.Context, ln net.Listener, t Timeouts) error {
	t.setDefaults()
	hs := s.HTTPServer(t)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(Listener(ln)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), t.Grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.Join(fmt.Errorf("shutdown: requests still running after %v were cut off", t.Grace), hs.Close())
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	s.writers.drain()
	return err
}

// CheckAddress refuses to serve on a network address other than loopback
// without a token, unless insecure says the caller knows: an open
// database on a network is one request away from being emptied.
func CheckAddress(addr string, hasToken, insecure bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if hasToken || insecure || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("refusing to serve on %s, which is not a loopback address, without --token (or --insecure to allow anyone to read and write)", addr)
}

// isLoopback reports whether host is "localhost" or a loopback IP; a
// host name is not resolved, so any other name counts as a network one.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	host, _, _ = strings.Cut(host, "%") // an IPv6 zone
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
