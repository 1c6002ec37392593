package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/chime-tsdb/chime/tsdb"
)

// access is what a request does to its database.
type access int

const (
	reading  access = iota // no lock: snapshots need none
	writing                // shared lock against removal
	creating               // writing, creating the database in root mode
)

// database returns the database that r names and a release function to
// call once done with it. In root mode writers hold the name's lock in
// shared mode until release, so that removing a database waits for the
// writes in flight instead of racing them.
func (s *Server) database(r *http.Request, a access) (*tsdb.DB, func(), error) {
	if s.root == "" {
		return s.db, func() {}, nil
	}
	name := r.PathValue("name")
	if err := checkName(name); err != nil {
		return nil, nil, err
	}
	release := func() {}
	if a != reading {
		release = s.locks.lock(name, false)
	}
	open := s.openNamed
	if s.o.Namespace != nil {
		open = s.openInNamespace
	}
	db, err := open(name, a == creating)
	if err != nil {
		release()
		return nil, nil, err
	}
	return db, release, nil
}

// openNamed opens the database name under the root, creating it first if
// create is set and it does not exist.
func (s *Server) openNamed(name string, create bool) (*tsdb.DB, error) {
	p, err := dbPath(s.root, name)
	if errors.Is(err, errNoDatabase) && create {
		p, err = s.create(name)
	}
	if errors.Is(err, errNoDatabase) {
		return nil, s.noDatabase(name, create)
	}
	if err != nil {
		return nil, err
	}
	db, err := tsdb.Open(p, &s.o.DB)
	if errors.Is(err, tsdb.ErrNotDatabase) {
		code := http.StatusNotFound
		if create {
			code = http.StatusConflict // it cannot be created either
		}
		return nil, errorf(code, "database %q: %s exists and is not a chime database", name, name)
	}
	return db, err
}

// noDatabase is the 404 of a missing database.
func (s *Server) noDatabase(name string, create bool) error {
	if create && s.o.NoCreate {
		return errorf(http.StatusNotFound, "no database %q (the server does not create databases: --no-create)", name)
	}
	return errorf(http.StatusNotFound, "no database %q", name)
}

// create makes the database name under the root, once: concurrent first
// writes to the same name create it once. The new directory is made with
// Mkdir, never MkdirAll, so that it cannot land in a directory that a
// symbolic link planted meanwhile points to, and is checked again after.
func (s *Server) create(name string) (string, error) {
	if s.o.NoCreate {
		return "", fmt.Errorf("database %q: %w", name, errNoDatabase)
	}
	s.createMu.Lock()
	defer s.createMu.Unlock()
	p := filepath.Join(s.root, name)
	if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("create database %q: %w", name, err)
	}
	real, err := dbPath(s.root, name)
	if err != nil {
		return "", err
	}
	if err := tsdb.Init(real); errors.Is(err, tsdb.ErrNotDatabase) {
		return "", errorf(http.StatusConflict, "database %q: %s exists and is not a chime database", name, name)
	} else if err != nil {
		return "", fmt.Errorf("create database %q: %w", name, err)
	}
	if !s.o.DB.NoSync {
		// The new directory's entry in the root must be durable before
		// the first write to it is acknowledged.
		if err := syncDir(s.root); err != nil {
			return "", err
		}
	}
	return real, nil
}

// syncDir makes the entries of directory dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// nameLocks holds one reader-writer lock per database name in use: writes
// share it, removal takes it alone. Entries live only while held, so the
// map stays as small as the number of requests in flight.
type nameLocks struct {
	mu sync.Mutex
	m  map[string]*nameLock
}

type nameLock struct {
	rw   sync.RWMutex
	refs int
}

// lock takes name's lock, exclusive or shared, and returns its release.
func (l *nameLocks) lock(name string, exclusive bool) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*nameLock{}
	}
	nl := l.m[name]
	if nl == nil {
		nl = &nameLock{}
		l.m[name] = nl
	}
	nl.refs++
	l.mu.Unlock()
	if exclusive {
		nl.rw.Lock()
	} else {
		nl.rw.RLock()
	}
	return func() {
		if exclusive {
			nl.rw.Unlock()
		} else {
			nl.rw.RUnlock()
		}
		l.mu.Lock()
		if nl.refs--; nl.refs == 0 {
			delete(l.m, name)
		}
		l.mu.Unlock()
	}
}

// withSnapshot runs fn on a snapshot of the request's database, taken now
// so that a read sees every write acknowledged before it, and releases
// both when fn returns.
func (s *Server) withSnapshot(r *http.Request, fn func(*tsdb.Snapshot) error) error {
	db, release, err := s.database(r, reading)
	if err != nil {
		return err
	}
	defer release()
	snap, err := db.Snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	return fn(snap)
}
