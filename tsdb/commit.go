package tsdb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// publish links the finished temporary file tmp under the next
// transaction name, under the commit lock, and makes the name durable.
// The lock makes name order equal commit order across processes.
func (db *DB) publish(tmp string) (string, error) {
	lock, err := db.lockCommit()
	if err != nil {
		return "", err
	}
	defer lock.Close()
	names, err := db.fs.List()
	if err != nil {
		return "", fmt.Errorf("list %s: %w", db.dir, err)
	}
	n, err := db.nextNumber(names)
	if err != nil {
		return "", err
	}
	for {
		name := txName(n)
		err := db.fs.Link(tmp, name)
		if errors.Is(err, fs.ErrExist) {
			n++
			continue
		}
		if err != nil {
			return "", fmt.Errorf("publish %s: %w", name, err)
		}
		if !db.opts.NoSync {
			if err := db.fs.SyncDir(); err != nil {
				db.fs.Remove(name)
				return "", err
			}
		}
		db.removeStaleTemps(names, tmp)
		return name, nil
	}
}

// lockCommit takes the commit lock, waiting for it: every publish, and
// every listing that must see no publish half done, holds it.
func (db *DB) lockCommit() (io.Closer, error) {
	lock, err := db.fs.Lock(commitLock, true)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", commitLock, err)
	}
	return lock, nil
}

// nextNumber is max(now, every transaction number in the directory or in
// main's included list + 1): above everything ever committed, so that a
// new file can never take the name of one that main already includes.
func (db *DB) nextNumber(names []string) (uint64, error) {
	included, err := db.readIncluded(MainName)
	if err != nil {
		return 0, err
	}
	n := uint64(time.Now().UnixNano())
	for _, name := range slices.Concat(names, included) {
		if v, ok := txNumber(name); ok && v >= n {
			n = v + 1
		}
	}
	return n, nil
}

// removeStaleTemps removes temporary files whose writers are gone (their
// lock is free): leftovers of crashed or killed writers.
func (db *DB) removeStaleTemps(names []string, own string) {
	for _, name := range names {
		if !strings.HasSuffix(name, tmpSuffix) || name == own {
			continue
		}
		if stale, err := db.fs.TryLockTemp(name); err == nil && stale {
			db.fs.Remove(name)
		}
	}
}
