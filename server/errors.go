package server

import (
	"errors"
	"fmt"
	"net/http"
	"syscall"

	"github.com/chime-tsdb/chime/format"
)

// The content types of answers: text lines, and JSON lines (ndjson).
const (
	textType   = "text/plain; charset=utf-8"
	ndjsonType = "application/x-ndjson"
)

// httpError is an error with the HTTP status that reports it. Handlers
// return them rather than writing answers themselves, so that one place
// decides how errors look: a status and a one-line text body.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

// errorf makes an httpError with a formatted message.
func errorf(code int, format string, args ...any) error {
	return &httpError{code: code, msg: fmt.Sprintf(format, args...)}
}

// badRequest is the usual error of bad input: 400.
func badRequest(format string, args ...any) error {
	return errorf(http.StatusBadRequest, format, args...)
}

// statusOf is the status that reports err: its own for an httpError, 413
// for a body over the limit, 507 for a full disk, 500 (a server fault)
// for anything else.
func statusOf(err error) int {
	var he *httpError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he.code
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, syscall.ENOSPC):
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// writeError answers err with its status and a one-line text body. A
// failed write (a PUT) tells the client the connection closes, so that
// the server does not read the rest of a large body for nothing.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = fmt.Errorf("request body larger than %d bytes", mbe.Limit)
	}
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		w.Header().Set("Connection", "close")
	}
	noteError(w, err)
	w.Header().Set("Content-Type", textType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, format.OneLine(err.Error()))
}

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP answers a returned error with writeError.
func (h handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		writeError(w, r, err)
	}
}
