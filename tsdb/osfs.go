package tsdb

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"golang.org/x/exp/mmap"
)

// osFS is the FS of a real directory.
type osFS struct {
	dir    string
	noMmap bool
}

// DirFS returns the FS of the directory dir. Published files are read
// through mmap unless noMmap is set or dir is on a FUSE file system (sshfs),
// where plain reads are safer and as fast.
func DirFS(dir string, noMmap bool) FS {
	return &osFS{dir: dir, noMmap: noMmap || onFUSE(dir)}
}

func (f *osFS) path(name string) string { return filepath.Join(f.dir, name) }

func (f *osFS) CreateTemp(prefix string) (File, error) {
	file, err := os.CreateTemp(f.dir, prefix+"*.tmp")
	if err != nil {
		return nil, err
	}
	// Published files are readable by all, like main made by touch; the
	// mode is set now because a published file is never chmod'ed.
	err = file.Chmod(0o644)
	if err == nil {
		// Waiting is safe: only a brief stale-file probe can hold the lock
		// of a file this new.
		err = flock(file, true)
	}
	if err != nil {
		file.Close()
		os.Remove(file.Name())
		return nil, fmt.Errorf("prepare %s: %w", file.Name(), err)
	}
	return &osFile{file}, nil
}

// osFile reports its name relative to the directory.
type osFile struct{ *os.File }

func (f *osFile) Name() string { return filepath.Base(f.File.Name()) }

func (f *osFS) Open(name string) (ReadFile, error) {
	if f.noMmap {
		return openPlain(f.path(name))
	}
	m, err := mmap.Open(f.path(name))
	if err != nil {
		return nil, err
	}
	return &mmapFile{m}, nil
}

func (f *osFS) Link(oldname, newname string) error { return os.Link(f.path(oldname), f.path(newname)) }

func (f *osFS) Rename(oldname, newname string) error {
	return os.Rename(f.path(oldname), f.path(newname))
}

func (f *osFS) Remove(name string) error { return os.Remove(f.path(name)) }

func (f *osFS) List() ([]string, error) {
	d, err := os.Open(f.dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

func (f *osFS) SyncDir() error {
	if skipDirSync {
		return nil
	}
	d, err := os.Open(f.dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("sync directory %s: %w", f.dir, err)
	}
	return d.Close()
}

func (f *osFS) Lock(name string, wait bool) (io.Closer, error) {
	file, err := os.OpenFile(f.path(name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock(file, wait); err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}

func (f *osFS) TryLockTemp(name string) (bool, error) {
	file, err := os.Open(f.path(name))
	if err != nil {
		return false, err
	}
	defer file.Close()
	// A writer creates its file and then locks it: a young file may be
	// unlocked only because its writer has not got there yet, and probing
	// its lock could make that writer's lock fail. Only old files are
	// probed.
	st, err := file.Stat()
	if err != nil || time.Since(st.ModTime()) <= staleAge {
		return false, err
	}
	if err := flock(file, false); err != nil {
		if err == ErrLocked {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// staleAge is how old an unlocked temporary file must be to be removed.
const staleAge = 10 * time.Second

// plainFile reads with pread: the fallback when mmap is off.
type plainFile struct {
	*os.File
	size int64
}

func openPlain(path string) (ReadFile, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	return &plainFile{file, st.Size()}, nil
}

func (p *plainFile) Size() int64 { return p.size }

// mmapFile turns a fault while reading mapped pages (SIGBUS: the file was
// truncated under us, or an I/O error on a network file system) into an
// error instead of a crash.
type mmapFile struct{ m *mmap.ReaderAt }

func (m *mmapFile) Size() int64  { return int64(m.m.Len()) }
func (m *mmapFile) Close() error { return m.m.Close() }

func (m *mmapFile) ReadAt(p []byte, off int64) (n int, err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("read at offset %d: memory fault: %v", off, r)
		}
	}()
	return m.m.ReadAt(p, off)
}
