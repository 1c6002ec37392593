//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package vfs

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// mmapFile is a file mapped read-only. Reading it turns a fault on the
// mapped pages (SIGBUS: the file was truncated under us, or an I/O error on
// a network file system) into an error instead of a crash.
type mmapFile struct {
	data       []byte
	version    Version
	sequential atomic.Bool
}

// mapFile maps the first size bytes of f.
func mapFile(f *os.File, size int64, v Version) (File, error) {
	if int64(int(size)) != size {
		return nil, fmt.Errorf("map %s: %d bytes is too large", f.Name(), size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	// Random until told otherwise: a point read touches a few index pages
	// and blocks, and the kernel's read-ahead around each fault (8 MiB on
	// some disks) would read megabytes of a cold file for it.
	unix.Madvise(data, unix.MADV_RANDOM) // only advice
	return &mmapFile{data: data, version: v}, nil
}

func (m *mmapFile) Size() int64      { return int64(len(m.data)) }
func (m *mmapFile) Version() Version { return m.version }

func (m *mmapFile) Close() error {
	if m.data == nil {
		return nil
	}
	err := unix.Munmap(m.data)
	m.data = nil
	return err
}

func (m *mmapFile) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 || off > int64(len(m.data)) {
		return 0, fmt.Errorf("read at offset %d: outside the %d bytes of the file", off, len(m.data))
	}
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("read at offset %d: memory fault: %v", off, r)
		}
	}()
	if len(p) > pageSize && !m.sequential.Load() {
		// One read of the whole range (a block), rather than one fault
		// per page.
		m.willNeed(off, int64(len(p)))
	}
	n = copy(p, m.data[off:])
	if n < len(p) {
		err = fmt.Errorf("read at offset %d: %w", off, errShortRead)
	}
	return n, err
}

var pageSize = os.Getpagesize()

// Prefetch asks the kernel to read a range ahead (the index region of a
// segment before a walk of every key).
func (m *mmapFile) Prefetch(off, n int64) { m.willNeed(off, n) }

func (m *mmapFile) willNeed(off, n int64) {
	if off < 0 || n <= 0 || off >= int64(len(m.data)) {
		return
	}
	start := off &^ int64(pageSize-1)
	end := min(off+n, int64(len(m.data)))
	unix.Madvise(m.data[start:end], unix.MADV_WILLNEED) // only advice
}

// Sequential tells the kernel the file is about to be read from end to
// end (a full scan, a compaction): read-ahead is then worth it.
func (m *mmapFile) Sequential() {
	if m.sequential.Swap(true) {
		return
	}
	unix.Madvise(m.data, unix.MADV_SEQUENTIAL) // only advice
}
