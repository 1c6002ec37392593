package server

import (
	"net/http"
	"time"
)

// streamWriter writes a streamed answer (rows, keys), flushing each chunk
// so that a client sees data while a large read goes on. Every write gets
// its own deadline: a client that stops reading is cut off, a long answer
// that keeps flowing never is. (net/http lifts the deadline once the
// answer is complete, before the connection's next request.)
type streamWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	started bool // a byte was written: the status is sent
	gone    bool // a write failed: the client went away
}

func newStreamWriter(w http.ResponseWriter, contentType string, timeout time.Duration) *streamWriter {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	return &streamWriter{w: w, rc: http.NewResponseController(w), timeout: timeout}
}

// write sends b and flushes it.
func (sw *streamWriter) write(b []byte) error {
	sw.started = true
	sw.rc.SetWriteDeadline(time.Now().Add(sw.timeout)) // unsupported by test recorders
	if _, err := sw.w.Write(b); err != nil {
		sw.gone = true
		return err
	}
	if err := sw.rc.Flush(); err != nil {
		sw.gone = true
		return err
	}
	return nil
}

// finish turns the error that ended the stream into the handler's. A
// failure before the first byte is an ordinary error answer; after it the
// status is gone, so the connection is aborted and the client sees a
// truncated answer rather than a short one that looks complete. A client
// that went away is no error of the server's.
func (sw *streamWriter) finish(err error) error {
	switch {
	case err == nil || sw.gone:
		return nil
	case !sw.started:
		return err
	}
	noteError(sw.w, err)
	panic(http.ErrAbortHandler)
}
