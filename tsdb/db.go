package tsdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// Options configure a DB. The zero value is the safe default.
type Options struct {
	// NoSync skips every fsync of a local directory: commits stay atomic
	// against a crashed process, but a power loss may tear the newest
	// files.
	NoSync bool
	// NoMmap reads the files of a local directory with pread instead of
	// mmap.
	NoMmap bool
	// FS is the database's store. nil means the local directory given to
	// Open.
	FS vfs.FS
	// Limits bound keys, input lines and values of data transactions;
	// the zero value means the defaults (see format.Limits).
	Limits format.Limits
	// MinFree is the free space in bytes below which Begin (add, serve
	// PUT) refuses to start a transaction: 0 means DefaultMinFree
	// (64 MiB), a negative value turns the check off.
	MinFree int64
	// Grace is how long a compaction on a store that does not keep
	// removed objects readable (object storage, see vfs.Caps.KeepOpen)
	// waits before it removes the files it replaced, so that reads in
	// flight finish: 0 means DefaultGrace, NoGrace (or any negative
	// value) none. Local directories remove them at once.
	Grace time.Duration
}

// DefaultGrace is the default Options.Grace.
const DefaultGrace = time.Hour

// NoGrace, as Options.Grace, lets a compaction on object storage remove
// what earlier compactions replaced whatever its age: for a database that
// no other process reads or writes meanwhile.
const NoGrace time.Duration = -1

// DB is a database: a main file plus transaction files in a store (a
// local directory, or an object store through Options.FS). A DB holds no
// open files; every read takes its own Snapshot, and any number of
// processes, on any number of machines, may use the same database at once.
type DB struct {
	loc  string
	fs   vfs.FS
	opts Options
	lim  format.Limits // opts.Limits with defaults filled in
	// objects is true on stores that cannot replace names: mains are
	// then main.<G>, and replaced files are removed after the grace
	// period.
	objects bool
}

// ErrNotDatabase is wrapped when a location is not a chime database.
var ErrNotDatabase = errors.New("not a database")

// Open opens the database at location: a directory that must exist and
// hold a `main` file (possibly empty), unless Options.FS gives the store.
// It never creates anything: see Init.
func Open(location string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	lim, err := o.Limits.WithDefaults()
	if err != nil {
		return nil, err
	}
	if o.FS == nil {
		if err := checkDatabaseDir(location); err != nil {
			return nil, err
		}
		o.FS = vfs.NewDir(location, vfs.DirOptions{NoSync: o.NoSync, NoMmap: o.NoMmap})
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	return &DB{loc: location, fs: o.FS, opts: o, lim: lim, objects: !o.FS.Caps().Replace}, nil
}

func checkDatabaseDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: directory %s does not exist (create it with: chime init %s)", ErrNotDatabase, dir, dir)
		}
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrNotDatabase, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, MainName)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s has no file %q (create one with: chime init %s)", ErrNotDatabase, dir, MainName, dir)
		}
		return err
	}
	return nil
}

// Init creates a database in the directory dir (and the directory if
// needed): an empty `main`. It does nothing to an existing database and
// refuses a non-empty directory that is not one.
func Init(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == MainName {
			return nil
		}
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: %s is not empty and has no %q file; refusing to make it a database", ErrNotDatabase, dir, MainName)
	}
	return InitFS(vfs.NewDir(dir, vfs.DirOptions{}))
}

// InitFS creates a database in an empty store: an empty `main`. It does
// nothing to a store that holds a main already, and refuses a store that
// holds other objects.
func InitFS(store vfs.FS) error {
	entries, err := store.List()
	if err != nil {
		return fmt.Errorf("list %s: %w", store, err)
	}
	for _, e := range entries {
		if parseName(e.Name).kind == kindMain {
			return nil
		}
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: %s is not empty and has no %q; refusing to make it a database", ErrNotDatabase, store, MainName)
	}
	p, err := store.Create()
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Publish(MainName); err != nil && !errors.Is(err, vfs.ErrExist) {
		return err
	}
	return nil
}

// Dir is the database's location, as given to Open.
func (db *DB) Dir() string { return db.loc }
