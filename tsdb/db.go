package tsdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chime-tsdb/chime/format"
)

// Options configure a DB. The zero value is the safe default.
type Options struct {
	// NoSync skips every fsync: commits stay atomic against a crashed
	// process, but a power loss may tear the newest files.
	NoSync bool
	// NoMmap reads published files with pread instead of mmap.
	NoMmap bool
	// FS replaces the directory's file system (tests).
	FS FS
	// Limits bound keys, input lines and values of data transactions;
	// the zero value means the defaults (see Limits).
	Limits format.Limits
	// MinFree is the free disk space in bytes below which Begin (add,
	// serve PUT) refuses to start a transaction: 0 means DefaultMinFree
	// (64 MiB), a negative value turns the check off.
	MinFree int64
}

// DB is a database directory: a `main` file plus transaction files.
// A DB holds no open files; every read takes its own Snapshot, and any
// number of processes may use the same directory at once.
type DB struct {
	dir  string
	fs   FS
	opts Options
	lim  format.Limits // opts.Limits with defaults filled in
}

// ErrNotDatabase is wrapped when a directory is not a chime database.
var ErrNotDatabase = errors.New("not a database")

// MainName is the name of the compacted file of a database.
const MainName = "main"

// Open opens the database in dir, which must exist and hold a `main` file
// (possibly empty). It never creates anything: see Init.
func Open(dir string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	lim, err := o.Limits.WithDefaults()
	if err != nil {
		return nil, err
	}
	if o.FS == nil {
		if err := checkDatabaseDir(dir); err != nil {
			return nil, err
		}
		o.FS = DirFS(dir, o.NoMmap)
	}
	return &DB{dir: dir, fs: o.FS, opts: o, lim: lim}, nil
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

// Init creates a database in dir: the directory if needed and an empty
// `main`. It does nothing to an existing database and refuses a non-empty
// directory that is not one.
func Init(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, MainName)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: %s is not empty and has no %q file; refusing to make it a database", ErrNotDatabase, dir, MainName)
	}
	f, err := os.OpenFile(filepath.Join(dir, MainName), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return DirFS(dir, true).SyncDir()
}

// Dir is the database directory.
func (db *DB) Dir() string { return db.dir }
