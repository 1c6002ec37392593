package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/chime-tsdb/chime/format/timefmt"
)

// put answers `PUT {base}/`: the body's rows, in any order, committed as
// one transaction, and 201 `ok` (as sonnerie-serve) only once the commit
// protocol has published them. A bad line or a repeated (key, timestamp)
// rejects the whole body with 400 naming the line; nothing is written.
//
// The write slot is taken before the body is read, so that the memory of
// the bodies being sorted is bounded by MaxWriters x SortMemory; a slow
// client holds one slot at most until the server's read timeout.
func (s *Server) put(w http.ResponseWriter, r *http.Request) error {
	if rest := r.PathValue("rest"); rest != "" {
		return badRequest("PUT writes to the base path: PUT %s with the rows in the body, not %s", s.basePath(r), r.URL.EscapedPath())
	}
	o, err := s.bodyOptions(r)
	if err != nil {
		return err
	}
	if err := s.precheck(r); err != nil {
		return err
	}
	release, err := s.writers.acquire(r.Context(), w)
	if err != nil {
		return err
	}
	defer release()
	if r.ContentLength > s.o.MaxBody {
		return &http.MaxBytesError{Limit: s.o.MaxBody}
	}
	b, err := parseBody(http.MaxBytesReader(w, r.Body, s.o.MaxBody), o)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := s.commit(r, b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", textType)
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, "ok")
	return nil
}

// precheck refuses, before its body is read, a write that cannot succeed:
// a bad database name, or a missing database the server may not create.
// commit checks again, since the root may change meanwhile.
func (s *Server) precheck(r *http.Request) error {
	if s.root == "" {
		return nil
	}
	name := r.PathValue("name")
	if s.o.Namespace != nil {
		return checkName(name) // commit finds out whether it exists
	}
	_, err := dbPath(s.root, name)
	if errors.Is(err, errNoDatabase) {
		if s.o.NoCreate {
			return s.noDatabase(name, true)
		}
		return nil
	}
	return err
}

// basePath is the path PUT takes for r's database.
func (s *Server) basePath(r *http.Request) string {
	if s.root == "" {
		return "/"
	}
	return "/db/" + r.PathValue("name") + "/"
}

// bodyOptions reads the parameters of a PUT: timestamp-format, as add's,
// for bodies whose timestamps are not nanoseconds.
func (s *Server) bodyOptions(r *http.Request) (bodyOptions, error) {
	o := bodyOptions{MaxLine: s.o.MaxLine, SortMemory: s.o.SortMemory, SortDir: s.sortDir()}
	q, err := queryParams(r)
	if err != nil {
		return o, err
	}
	layout, ok, err := q.str("timestamp-format")
	if err != nil {
		return o, err
	}
	if ok {
		l, err := timefmt.ParseLayout(layout)
		if err != nil {
			return o, badRequest("timestamp-format: %v", err)
		}
		o.ParseTime = l.ParseTime
	}
	return o, q.done()
}

// commit writes the batch as one transaction of r's database, creating
// the database in root mode unless told not to.
func (s *Server) commit(r *http.Request, b *batch) error {
	db, release, err := s.database(r, creating)
	if err != nil {
		return err
	}
	defer release()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := b.writeBlocks(tx.Write); err != nil {
		tx.Rollback()
		if statusOf(err) != http.StatusInternalServerError {
			return err
		}
		return fmt.Errorf("write: %w", err)
	}
	if _, err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sortDir is where PUT bodies spill while sorted: beside the database or
// under the root, the disk the rows are going to, unless told otherwise.
// A directory that is not on the disk (an in-memory FS in tests) means
// $TMPDIR.
func (s *Server) sortDir() string {
	dir := s.o.SortDir
	switch {
	case dir != "":
	case s.root != "":
		dir = s.root
	default:
		dir = s.o.Dir
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}
