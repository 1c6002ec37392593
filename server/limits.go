package server

import (
	"context"
	"net/http"
	"time"
)

// Defaults of the limits in Options.
const (
	// DefaultMaxBody bounds a PUT body: it is held in memory to be sorted.
	DefaultMaxBody = 64 << 20
	// DefaultMaxLine bounds one line of a PUT body, as add bounds its
	// input lines.
	DefaultMaxLine = 16 << 20
	// DefaultMaxWriters bounds the writes in progress, and with MaxBody
	// the memory they hold: each holds its body and then about 50 bytes
	// per row (2 to 7 x MaxBody, from long lines to the shortest).
	DefaultMaxWriters = 4
	// DefaultWriterWait is how long a write waits for a free slot before
	// it is answered 503.
	DefaultWriterWait = 30 * time.Second
	// DefaultWriteTimeout bounds each write of a streamed answer, so that
	// a client that stops reading cannot hold a snapshot forever, while a
	// long read that keeps flowing is never cut.
	DefaultWriteTimeout = time.Minute
)

// maxBodyLimit keeps body offsets within the uint32 of a parsed row.
const maxBodyLimit = 1<<32 - 1

// writerSlots caps the writes in progress. A write waits for a slot as
// long as its client stays and at most the configured wait, then gets 503
// with Retry-After: a burst of writers queues, an overload is told to back
// off, and memory stays bounded either way.
type writerSlots struct {
	slots chan struct{}
	wait  time.Duration
}

func newWriterSlots(n int, wait time.Duration) *writerSlots {
	return &writerSlots{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot and returns its release.
func (ws *writerSlots) acquire(ctx context.Context, w http.ResponseWriter) (func(), error) {
	select {
	case ws.slots <- struct{}{}:
		return ws.release, nil
	default:
	}
	timer := time.NewTimer(ws.wait)
	defer timer.Stop()
	select {
	case ws.slots <- struct{}{}:
		return ws.release, nil
	case <-ctx.Done():
		return nil, errorf(http.StatusServiceUnavailable, "request ended while waiting for a write slot: %v", ctx.Err())
	case <-timer.C:
		w.Header().Set("Retry-After", "1")
		return nil, errorf(http.StatusServiceUnavailable, "too many writes in progress (%d); retry later", cap(ws.slots))
	}
}

func (ws *writerSlots) release() { <-ws.slots }

// drain waits until no write holds a slot, and keeps them all: the server
// takes no more writes.
func (ws *writerSlots) drain() {
	for range cap(ws.slots) {
		ws.slots <- struct{}{}
	}
}
