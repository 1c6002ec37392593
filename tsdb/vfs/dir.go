package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DirOptions configure a local directory store. The zero value is the safe
// default.
type DirOptions struct {
	// NoSync skips every fsync: publishing stays atomic against a crashed
	// process, but a power loss may lose or tear the newest objects.
	NoSync bool
	// NoMmap reads objects with pread instead of mmap. Directories on FUSE
	// file systems (sshfs) are read with pread whatever it says: mapped
	// pages of a network file fault on any I/O error, and sshfs serves
	// reads as fast.
	NoMmap bool
}

// Dir is a local directory as a store. Objects are files; Publish is
// link(2) of a locked temporary file, Replace is rename(2), both followed
// by an fsync of the directory; locks are flock(2) on lock files. The
// names it keeps for itself, which List leaves out, start with '.' or end
// in ".tmp".
type Dir struct {
	path   string
	noSync bool
	noMmap bool
	fuse   bool
}

// NewDir returns the store of the directory path, which is not checked
// here: operations on a missing directory fail with fs.ErrNotExist.
func NewDir(path string, o DirOptions) *Dir {
	fuse := onFUSE(path)
	return &Dir{path: path, noSync: o.NoSync, noMmap: o.NoMmap || fuse, fuse: fuse}
}

// tmpSuffix ends the names of the temporary files of Pending objects.
const tmpSuffix = ".tmp"

// staleAge is how old an unlocked temporary file must be to be removed as
// the leftover of a crashed writer.
const staleAge = 10 * time.Second

func (d *Dir) join(name string) string { return filepath.Join(d.path, name) }

// String is the directory's path.
func (d *Dir) String() string { return d.path }

// Caps: a directory replaces atomically and keeps removed files readable
// through open handles; on a FUSE mount its listings and sizes may be
// stale.
func (d *Dir) Caps() Caps { return Caps{Replace: true, KeepOpen: true, Cached: d.fuse} }

// List lists the directory's files, leaving out its own names.
func (d *Dir) List() ([]Entry, error) {
	names, err := d.names()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(names))
	for _, name := range names {
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, tmpSuffix) {
			continue
		}
		fi, err := os.Lstat(d.join(name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since the listing
		}
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, Entry{Name: name, Version: versionOf(fi), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	return out, nil
}

func (d *Dir) names() ([]string, error) {
	f, err := os.Open(d.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// Open opens a file for reading, by mmap unless the store reads with
// pread.
func (d *Dir) Open(name string, v Version) (File, error) {
	f, err := os.Open(d.join(name))
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	got := versionOf(fi)
	if v != "" && got != v {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, ErrChanged)
	}
	if d.noMmap || fi.Size() == 0 {
		return &plainFile{File: f, size: fi.Size(), version: got}, nil
	}
	m, err := mapFile(f, fi.Size(), got)
	f.Close() // the mapping outlives the descriptor
	return m, err
}

// plainFile reads with pread.
type plainFile struct {
	*os.File
	size    int64
	version Version
}

func (p *plainFile) Size() int64      { return p.size }
func (p *plainFile) Version() Version { return p.version }

// Create starts a temporary file, locked by its writer while it lives so
// that others can tell a live one from the leftover of a crashed writer.
func (d *Dir) Create() (Pending, error) {
	f, err := os.CreateTemp(d.path, "tx-*"+tmpSuffix)
	if err != nil {
		return nil, err
	}
	// Published files are readable by all, like main made by touch; the
	// mode is set now because a published file is never chmod'ed.
	err = f.Chmod(0o644)
	if err == nil {
		// Waiting is safe: only a brief stale-file probe can hold the lock
		// of a file this new.
		err = flock(f, true)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("prepare %s: %w", f.Name(), err)
	}
	return &dirPending{d: d, f: f, tmp: filepath.Base(f.Name())}, nil
}

// dirPending is a temporary file being written.
type dirPending struct {
	d      *Dir
	f      *os.File
	tmp    string // its name; "" once Replace renamed it
	synced bool
}

func (p *dirPending) Write(b []byte) (int, error) {
	p.synced = false
	return p.f.Write(b)
}

// sync makes the file's bytes durable before its first publication.
func (p *dirPending) sync() error {
	if p.synced || p.d.noSync {
		return nil
	}
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", p.tmp, err)
	}
	p.synced = true
	return nil
}

// Publish links the file under name and syncs the directory.
func (p *dirPending) Publish(name string) error {
	if p.tmp == "" {
		return errors.New("publish: the file was renamed by Replace")
	}
	if err := p.sync(); err != nil {
		return err
	}
	if err := os.Link(p.d.join(p.tmp), p.d.join(name)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("publish %s: %w", name, ErrExist)
		}
		return fmt.Errorf("publish %s: %w", name, err)
	}
	if err := p.d.syncDir(); err != nil {
		// The name may or may not survive a power loss: take it back, so
		// that a failure reported is a failure.
		os.Remove(p.d.join(name))
		return err
	}
	return nil
}

// Replace renames the file over name and syncs the directory.
func (p *dirPending) Replace(name string) error {
	if p.tmp == "" {
		return errors.New("replace: the file was renamed already")
	}
	if err := p.sync(); err != nil {
		return err
	}
	if err := os.Rename(p.d.join(p.tmp), p.d.join(name)); err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	p.tmp = ""
	return p.d.syncDir()
}

// Close removes the temporary name, then closes the file: its lock says
// "live" to other writers until the name is gone.
func (p *dirPending) Close() error {
	var err error
	if p.tmp != "" {
		err = os.Remove(p.d.join(p.tmp))
		p.tmp = ""
	}
	return errors.Join(err, p.f.Close())
}

// Remove removes files, then syncs the directory.
func (d *Dir) Remove(names ...string) error {
	for _, n := range names {
		if err := os.Remove(d.join(n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", n, err)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return d.syncDir()
}

func (d *Dir) syncDir() error {
	if d.noSync || skipDirSync {
		return nil
	}
	f, err := os.Open(d.path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync directory %s: %w", d.path, err)
	}
	return f.Close()
}

// Lock takes an flock on the lock file name (made if needed); it dies
// with its holder, so it never needs to expire.
func (d *Dir) Lock(name string, wait bool) (Lock, error) {
	f, err := os.OpenFile(d.join(name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock(f, wait); err != nil {
		f.Close()
		return nil, err
	}
	return fileLock{f}, nil
}

type fileLock struct{ f *os.File }

func (l fileLock) Check() error   { return nil }
func (l fileLock) Release() error { return l.f.Close() }

// Stale names the temporary files whose writers are gone: unlocked, and
// older than staleAge (a writer creates its file, then locks it, so a
// young unlocked file may be a live one).
func (d *Dir) Stale() ([]string, error) {
	names, err := d.names()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		if !strings.HasSuffix(name, tmpSuffix) {
			continue
		}
		if stale, err := d.stale(name); err == nil && stale {
			out = append(out, name)
		}
	}
	return out, nil
}

// RemoveStale removes the temporary files of writers that are gone.
func (d *Dir) RemoveStale() error {
	stale, err := d.Stale()
	for _, name := range stale {
		os.Remove(d.join(name))
	}
	return err
}

func (d *Dir) stale(name string) (bool, error) {
	f, err := os.Open(d.join(name))
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || time.Since(fi.ModTime()) <= staleAge {
		return false, err
	}
	if err := flock(f, false); err != nil {
		if errors.Is(err, ErrLocked) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
