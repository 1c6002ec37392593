package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/chime-tsdb/chime/server"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/vfs"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// s3Root is the databases of `serve --root s3://BUCKET/PREFIX`. Each name
// has incarnations, numbered: the database NAME lives at
// PREFIX/NAME/<N>/, N in 16 hexadecimal digits. Removing it writes the
// tombstone object PREFIX/NAME/<N>.removed first (from then on no request
// sees it), then deletes its objects; creating it again takes N+1, a
// fresh prefix, so that objects a slow writer still adds to the old one
// never come back. The live incarnation is the highest without a
// tombstone; concurrent creators pick the same N and meet at its `main`,
// published create-if-absent.
type s3Root struct {
	st *s3.Store

	mu  sync.Mutex
	dbs map[string]*tsdb.DB // by NAME/<N>
}

func newS3Root(st *s3.Store) *s3Root { return &s3Root{st: st, dbs: map[string]*tsdb.DB{}} }

func (r *s3Root) String() string { return r.st.String() }

// incarnations lists the incarnations of name and the tombstoned ones.
func (r *s3Root) incarnations(name string) (all []uint64, removed map[uint64]bool, err error) {
	sub := r.st.Sub(name)
	dirs, err := sub.ListDirs()
	if err != nil {
		return nil, nil, err
	}
	entries, err := sub.List()
	if err != nil {
		return nil, nil, err
	}
	removed = map[uint64]bool{}
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name, ".removed"); ok {
			if v, err := strconv.ParseUint(n, 16, 64); err == nil {
				removed[v] = true
				all = append(all, v)
			}
		}
	}
	for _, d := range dirs {
		if v, err := strconv.ParseUint(d, 16, 64); err == nil && len(d) == 16 {
			all = append(all, v)
		}
	}
	slices.Sort(all)
	return all, removed, nil
}

// live is the live incarnation of name.
func (r *s3Root) live(name string) (uint64, bool, []uint64, error) {
	all, removed, err := r.incarnations(name)
	if err != nil {
		return 0, false, nil, err
	}
	if len(all) > 0 && !removed[all[len(all)-1]] {
		return all[len(all)-1], true, all, nil
	}
	return 0, false, all, nil
}

func incName(n uint64) string { return fmt.Sprintf("%016x", n) }

// Names lists the names with a live incarnation.
func (r *s3Root) Names() ([]string, error) {
	dirs, err := r.st.ListDirs()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dirs {
		if _, ok, _, err := r.live(d); err != nil {
			return nil, err
		} else if ok {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Open opens the live incarnation of name, creating the next one when
// asked to.
func (r *s3Root) Open(name string, create bool, o tsdb.Options) (*tsdb.DB, error) {
	n, ok, all, err := r.live(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		if !create {
			return nil, fmt.Errorf("database %q: %w", name, server.ErrNoDatabase)
		}
		if len(all) > 0 {
			n = all[len(all)-1] + 1
		}
	}
	key := name + "/" + incName(n)
	r.mu.Lock()
	defer r.mu.Unlock()
	if db, ok := r.dbs[key]; ok {
		return db, nil
	}
	st := r.st.Sub(name).Sub(incName(n))
	if !ok {
		if err := tsdb.InitFS(st); err != nil {
			return nil, fmt.Errorf("create database %q: %w", name, err)
		}
	}
	o.FS = st
	db, err := tsdb.Open(st.String(), &o)
	if err != nil {
		return nil, err
	}
	r.dbs[key] = db
	return db, nil
}

// Remove writes the tombstone of the live incarnation, then deletes its
// objects (what a failure leaves is unreachable, and the next removal of
// the name, or an operator, deletes it).
func (r *s3Root) Remove(name string) error {
	n, ok, _, err := r.live(name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("database %q: %w", name, server.ErrNoDatabase)
	}
	p, err := r.st.Sub(name).Create()
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Publish(incName(n) + ".removed"); err != nil && !errors.Is(err, vfs.ErrExist) {
		return err
	}
	r.mu.Lock()
	delete(r.dbs, name+"/"+incName(n))
	r.mu.Unlock()
	return r.st.Sub(name).Sub(incName(n)).RemoveAll()
}
