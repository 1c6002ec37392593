package server

import (
	"log/slog"
	"net/http"
	"time"
)

// statusWriter records what a handler answered, for the access log. It
// unwraps for http.ResponseController, so flushes and write deadlines
// still reach the connection.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
	err   string // the error message of a failed request
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends buffered data, for streamed reads.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// noteError records the message of a failed request for the access log.
func noteError(w http.ResponseWriter, err error) {
	if sw, ok := w.(*statusWriter); ok {
		sw.err = err.Error()
	}
}

// maxLoggedURI bounds the request URI in a log line: a filter may be long.
const maxLoggedURI = 256

// accessLog logs one line per request once it is answered, including a
// request whose handler aborted a streamed answer (a panic).
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	if log == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		aborted := true
		defer func() {
			logRequest(log, r, sw, time.Since(start), aborted)
		}()
		next.ServeHTTP(sw, r)
		aborted = false
	})
}

// logRequest writes the access-log line of one request.
func logRequest(log *slog.Logger, r *http.Request, sw *statusWriter, d time.Duration, aborted bool) {
	uri := r.RequestURI
	if len(uri) > maxLoggedURI {
		uri = uri[:maxLoggedURI] + "..."
	}
	code := sw.code
	if code == 0 {
		code = http.StatusOK
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("uri", uri),
		slog.Int("status", code), slog.Int64("bytes", sw.bytes),
		slog.Duration("duration", d), slog.String("remote", r.RemoteAddr),
	}
	level := slog.LevelInfo
	if sw.err != "" {
		attrs = append(attrs, slog.String("error", sw.err))
	}
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	if aborted || code >= 500 {
		level = slog.LevelError
	}
	log.LogAttrs(r.Context(), level, "request", attrs...)
}
