package vfs

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// FS is the storage of one database: a flat namespace of immutable
// objects. Names are plain (no '/'); the database's protocol (package
// tsdb) gives them their meaning. Every method is safe for concurrent use
// by any number of goroutines and processes.
type FS interface {
	// List returns every published object, in no particular order. Names
	// of the store's own (temporary files, lock files) are left out.
	List() ([]Entry, error)
	// Open opens the object name for reading. With a version it opens
	// exactly that version, failing with an error matching ErrChanged when
	// the name now holds another object and fs.ErrNotExist when it holds
	// none; with "" it opens whatever the name holds now. The bytes read
	// through a File never change (see the package documentation for how
	// long they stay readable).
	Open(name string, v Version) (File, error)
	// Create starts a new object. Nothing of it is visible under any name
	// until Pending.Publish or Pending.Replace succeeds.
	Create() (Pending, error)
	// Remove deletes the named objects; a name already gone is not an
	// error. When it returns nil, the removals are durable.
	Remove(names ...string) error
	// Lock takes the exclusive lock name: a lease that the holder keeps
	// until Release, or until it dies (locally) or stops renewing it
	// (object storage). With wait false it fails at once with an error
	// matching ErrLocked when another holds it.
	Lock(name string, wait bool) (Lock, error)
	// Caps says what the store guarantees beyond the interface.
	Caps() Caps
	// String names the location, for messages.
	String() string
}

// Caps are the guarantees a store gives beyond FS's.
type Caps struct {
	// Replace says that Pending.Replace works: an atomic rename over an
	// existing name (local directories). Stores without it publish new
	// names only.
	Replace bool
	// KeepOpen says that a File opened before its object was removed or
	// replaced stays readable until closed (POSIX unlink semantics).
	// Where it does not hold (object storage), a database removes replaced
	// objects only after a grace period, so that reads in flight finish.
	KeepOpen bool
	// Cached says that listings, and the sizes of names replaced by
	// rename, may be stale for a while: a FUSE mount such as sshfs caches
	// them (for 20 s by default). A reader that finds a listed file gone,
	// or a replaced one damaged, lists again and retries for a while
	// before it reports it.
	Cached bool
	// Remote says that every call is a round trip over a network (object
	// storage): a database then makes independent calls, such as opening
	// the files of a snapshot, concurrently.
	Remote bool
}

// Entry is one listed object.
type Entry struct {
	Name    string
	Version Version
	Size    int64
	// ModTime is when the object was published, by the store's clock.
	ModTime time.Time
}

// Version identifies the content of an object: a different object
// published under the same name has a different Version. Locally it is
// the file's device, inode, size and modification time; on S3 the ETag.
type Version string

// File is an object open for reading.
type File interface {
	io.ReaderAt
	// Size is the object's size in bytes.
	Size() int64
	// Version is the version opened.
	Version() Version
	Close() error
}

// Pending is an object being written. Its bytes become visible only when
// published; Close discards whatever was not.
type Pending interface {
	io.Writer
	// Publish makes the bytes written so far durable and visible under
	// name, if no object has that name: otherwise it fails with an error
	// matching ErrExist, and the Pending can be published under another
	// name. It may be published again after a success: the same bytes then
	// have two names. An error other than ErrExist leaves the outcome
	// unknown (a network request may have been applied): the caller finds
	// out by reading what the name holds.
	Publish(name string) error
	// Replace makes the bytes durable and puts them under name
	// atomically, replacing what is there; only where Caps.Replace.
	Replace(name string) error
	// Close releases the Pending; published objects stay.
	Close() error
}

// Lock is a held lock.
type Lock interface {
	// Check reports whether the lock is still held: nil, or an error
	// saying why not (a lease taken over after it expired). A holder
	// checks before it publishes.
	Check() error
	// Release gives the lock up.
	Release() error
}

// Freer is implemented by stores that know their free space.
type Freer interface {
	// Free is the number of bytes available to new objects.
	Free() (uint64, error)
}

// Sweeper is implemented by stores whose Pending objects can outlive a
// crashed writer (temporary files, incomplete multipart uploads).
type Sweeper interface {
	// Stale names the pending objects of writers that are gone.
	Stale() ([]string, error)
	// RemoveStale removes them.
	RemoveStale() error
}

var (
	// ErrExist matches the error of Publish when the name is taken.
	ErrExist = fs.ErrExist
	// ErrNotExist matches the error of Open when the name holds nothing.
	ErrNotExist = fs.ErrNotExist
	// ErrChanged matches the error of Open when the name holds another
	// version than the one asked for.
	ErrChanged = errors.New("replaced by another version")
	// ErrLocked matches the error of Lock without waiting when another
	// holds the lock.
	ErrLocked = errors.New("locked by another process")
	// ErrUnsupported matches the error of an operation the store cannot
	// do (Replace on object storage, locks on a platform without them).
	ErrUnsupported = errors.ErrUnsupported
)
