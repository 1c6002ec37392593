package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// listDatabases answers `GET /db/`: the names of the databases under the
// root, one per line (a JSON string per line with json or output=json,
// as keys lists keys).
func (s *Server) listDatabases(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	jsonOut, err := jsonLines(q, "databases")
	if err := firstErr(err, q.done()); err != nil {
		return err
	}
	names, err := s.databaseNames()
	if err != nil {
		return err
	}
	var buf []byte
	for _, name := range names {
		if jsonOut {
			buf = append(text.AppendJSONString(buf, []byte(name)), '\n')
		} else {
			buf = append(append(buf, name...), '\n')
		}
	}
	w.Header().Set("Content-Type", linesType(jsonOut))
	w.Write(buf)
	return nil
}

// databaseNames lists the names under the root that a request may use
// and that hold a database, in byte order.
func (s *Server) databaseNames() ([]string, error) {
	if s.o.Namespace != nil {
		return s.o.Namespace.Names()
	}
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		p, err := dbPath(s.root, e.Name())
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(p, tsdb.MainName)); err == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// removeDatabase answers `DELETE /db/<name>?confirm=<name>`: it removes
// the database directory and everything in it. The name must be repeated
// in confirm, so that a stray DELETE cannot do it. It waits for the writes
// in flight to that database, renames the directory out of reach (one
// atomic step: every later request sees no database), then removes it.
// A symbolic link is never followed nor removed.
func (s *Server) removeDatabase(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := checkName(name); err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	confirm, _, err := q.str("confirm")
	if err := firstErr(err, q.done()); err != nil {
		return err
	}
	if confirm != name {
		return badRequest("removing database %q needs ?confirm=%s", name, name)
	}
	unlock := s.locks.lock(name, true)
	defer unlock()
	if s.o.Namespace != nil {
		if err := s.o.Namespace.Remove(name); errors.Is(err, errNoDatabase) {
			return errorf(http.StatusNotFound, "no database %q", name)
		} else if err != nil {
			return fmt.Errorf("remove database %q: %w", name, err)
		}
		return answerOK(w)
	}
	p := filepath.Join(s.root, name)
	if err := checkRemovable(p, name); err != nil {
		return err
	}
	trash := filepath.Join(s.root, fmt.Sprintf("%s%s.%d", removedPrefix, name, time.Now().UnixNano()))
	if err := os.Rename(p, trash); err != nil {
		return fmt.Errorf("remove database %q: %w", name, err)
	}
	if !s.o.DB.NoSync {
		if err := syncDir(s.root); err != nil {
			return fmt.Errorf("remove database %q: %w", name, err)
		}
	}
	if err := os.RemoveAll(trash); err != nil {
		// Out of reach already; the next start of the server retries.
		return fmt.Errorf("remove database %q: %w", name, err)
	}
	return answerOK(w)
}

// checkRemovable accepts a real directory (not a symbolic link) holding a
// database.
func checkRemovable(p, name string) error {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errorf(http.StatusNotFound, "no database %q", name)
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		return errorf(http.StatusForbidden, "database %q is a symbolic link: not removed", name)
	case !st.IsDir():
		return errorf(http.StatusNotFound, "no database %q", name)
	}
	if _, err := os.Lstat(filepath.Join(p, tsdb.MainName)); err != nil {
		return errorf(http.StatusConflict, "%q is not a chime database: not removed", name)
	}
	return nil
}
