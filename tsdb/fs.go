package tsdb

import (
	"errors"
	"io"
)

// FS is every file-system operation a database directory needs. Names are
// relative to the directory. All of tsdb's and compact's I/O goes through
// it, so that tests can substitute a file system that crashes, tears
// writes or fails on demand.
type FS interface {
	// CreateTemp creates a new file named prefix + random + ".tmp",
	// exclusively locked by the caller until it is closed, so that others
	// can tell a live temporary file from a stale one.
	CreateTemp(prefix string) (File, error)
	// Open opens a published file for reading.
	Open(name string) (ReadFile, error)
	// Link gives the file oldname a second name; it fails with an error
	// matching fs.ErrExist if newname exists, so it never replaces a file.
	Link(oldname, newname string) error
	// Rename replaces newname by oldname atomically.
	Rename(oldname, newname string) error
	// Remove deletes a name.
	Remove(name string) error
	// List returns the names in the directory, in no particular order.
	List() ([]string, error)
	// SyncDir makes the directory's entries durable.
	SyncDir() error
	// Lock takes an exclusive lock on the named lock file, creating it if
	// needed. With wait false it fails at once with ErrLocked when another
	// holds the lock.
	Lock(name string, wait bool) (io.Closer, error)
	// TryLockTemp reports whether the temporary file name is stale: its
	// writer is gone (its lock is free) and it is older than a few seconds.
	TryLockTemp(name string) (stale bool, err error)
	// Free is the number of bytes available to new files.
	Free() (uint64, error)
}

// File is a file being written.
type File interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// ReadFile is a published file open for reading; its bytes never change.
type ReadFile interface {
	io.ReaderAt
	Size() int64
	Close() error
}

// ErrLocked is returned by FS.Lock without waiting when the lock is held.
var ErrLocked = errors.New("locked by another process")
