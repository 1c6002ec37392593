package server

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
)

// post answers `POST {base}/<filter>?delete` and `POST {base}/?compact`.
func (s *Server) post(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	del, err := q.flag("delete")
	if err != nil {
		return err
	}
	compact, err := q.flag("compact")
	switch {
	case err != nil:
		return err
	case del && compact:
		return badRequest("POST takes ?delete or ?compact, not both")
	case del:
		return s.deleteRows(w, r, q)
	case compact:
		return s.compact(w, r, q)
	}
	return badRequest("POST needs ?delete (with a filter or bounds) or ?compact")
}

// deleteRows publishes one delete marker, as the delete command does.
func (s *Server) deleteRows(w http.ResponseWriter, r *http.Request, q *params) error {
	m, err := deleteMarker(r.PathValue("filter"), q)
	if err != nil {
		return err
	}
	if err := q.done(); err != nil {
		return err
	}
	release, err := s.writers.acquire(r.Context(), w)
	if err != nil {
		return err
	}
	defer release()
	db, done, err := s.database(r, writing)
	if err != nil {
		return err
	}
	defer done()
	if _, err := db.Delete(m); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return answerOK(w)
}

// deleteMarker builds the marker of a delete request with the delete
// command's rules: at least one selector; time excludes the other time
// bounds; the filter and the key bounds are escaped as input tokens. The
// filter is the path's, or one `filter` parameter; unlike a read's, it
// may be combined with key bounds.
func deleteMarker(pathFilter string, q *params) (format.Marker, error) {
	filter, hasFilter, err := q.key("filter", escapedKey)
	switch {
	case err != nil:
		return format.Marker{}, err
	case hasFilter && pathFilter != "":
		return format.Marker{}, badRequest("give the filter in the path or as ?filter=, not both")
	case pathFilter != "":
		if filter, err = escapedKey("filter", pathFilter); err != nil {
			return format.Marker{}, err
		}
		hasFilter = true
	}
	var sel tsdb.Selector
	if err := firstErr(keyBounds(q, &sel, escapedKey), timeBounds(q, &sel)); err != nil {
		return format.Marker{}, err
	}
	m := format.Marker{Filter: []byte(filter), HasFilter: hasFilter, Bounds: sel.Bounds}
	if err := exactTime(q, &m); err != nil {
		return m, err
	}
	if !m.HasFilter && !m.HasAfterKey && !m.HasBeforeKey && !m.HasAfterTime && !m.HasBeforeTime {
		return m, badRequest("delete: give a filter or at least one of after-key, before-key, after-time, before-time, time")
	}
	return m, nil
}

// exactTime reads the time parameter into m: exactly t is [t, t+1).
func exactTime(q *params, m *format.Marker) error {
	t, hasTime, err := q.time("time")
	switch {
	case err != nil:
		return err
	case !hasTime:
		return nil
	case m.HasAfterTime || m.HasBeforeTime:
		return badRequest("time excludes after-time and before-time")
	}
	m.AfterTime, m.HasAfterTime = t, true
	if t < math.MaxUint64 {
		m.BeforeTime, m.HasBeforeTime = t+1, true
	}
	return nil
}

// compact runs a compaction of the database with Options.Compact.
func (s *Server) compact(w http.ResponseWriter, r *http.Request, q *params) error {
	if f := r.PathValue("filter"); f != "" {
		return badRequest("compact takes no filter: POST %s?compact", s.basePath(r))
	}
	var o CompactOptions
	var err, err2 error
	o.Major, err = q.flag("major")
	o.NoWait, err2 = q.flag("no-wait")
	if err := firstErr(err, err2, q.done()); err != nil {
		return err
	}
	if s.o.Compact == nil {
		return errorf(http.StatusNotImplemented, "compaction is not available in this server")
	}
	db, done, err := s.database(r, writing)
	if err != nil {
		return err
	}
	defer done()
	summary, err := s.o.Compact(r.Context(), db, o)
	if errors.Is(err, tsdb.ErrLocked) {
		return errorf(http.StatusConflict, "another compaction of this database is running")
	}
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	return answer(w, format.OneLine(summary))
}

// answerOK answers 200 with the body "ok".
func answerOK(w http.ResponseWriter) error { return answer(w, "ok") }

// answer answers 200 with one line of text. A failure to send it means
// the client went away: there is no one left to tell.
func answer(w http.ResponseWriter, line string) error {
	w.Header().Set("Content-Type", textType)
	io.WriteString(w, line+"\n")
	return nil
}
