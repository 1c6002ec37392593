// Package memfs is an in-memory tsdb.FS that can crash. It keeps what a
// real file system would keep across a power cut: data a File.Sync made
// durable and directory entries a SyncDir made durable. Crash returns the
// file system as it would come back: only the durable state, or that plus
// a random prefix of the operations that were not yet durable, the last of
// them possibly torn. It can also fail any operation with an injected
// error. Tests use it to enumerate crash points of every writing command.
package memfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/chime-tsdb/chime/tsdb"
)

// ErrCrashed is returned by every operation after the armed crash point.
var ErrCrashed = errors.New("memfs: crashed")

// inode is a file's content: what is durable and what is not yet.
type inode struct {
	data    []byte // current content
	durable []byte // content as of the last Sync
	locked  bool
}

// dirOp is one not yet durable directory change: name now points to
// node, or to nothing when node is nil.
type dirOp struct {
	name string
	node *inode
}

// FS is the crash-able file system. It is safe for concurrent use.
type FS struct {
	mu      sync.Mutex
	dir     map[string]*inode // current entries
	durable map[string]*inode // entries as of the last SyncDir
	order   []any             // pending dirOps and *pendingWrites, in the order they happened
	locks   map[string]bool

	ops     int // operations so far
	crashAt int // operation index that crashes; -1: never
	failAt  int // operation index that fails with failErr; -1: never
	failErr error
	failed  string // the kind of operation the injected failure hit
	crashed bool
	seq     int
}

// New returns an empty file system.
func New() *FS {
	return &FS{dir: map[string]*inode{}, durable: map[string]*inode{}, locks: map[string]bool{}, crashAt: -1, failAt: -1}
}

// Ops is the number of operations performed so far.
func (f *FS) Ops() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// CrashAt makes operation n (counting from now on the total) and every
// later one fail with ErrCrashed, as if the machine lost power there.
func (f *FS) CrashAt(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.crashAt = n
}

// FailAt makes operation n fail with err (once).
func (f *FS) FailAt(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt, f.failErr = n, err
}

// op counts an operation of the given kind and says whether it must fail.
func (f *FS) op(kind string) error {
	n := f.ops
	f.ops++
	if f.crashed || f.crashAt >= 0 && n >= f.crashAt {
		f.crashed = true
		return ErrCrashed
	}
	if n == f.failAt {
		f.failed = kind
		return f.failErr
	}
	return nil
}

// Failed returns the kind of operation ("sync", "syncdir", "write", ...)
// that the injected failure hit, and clears it; "" if it has not fired.
func (f *FS) Failed() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := f.failed
	f.failed = ""
	return k
}

// Crash returns the file system as it comes back after a power cut at
// this moment. With r nil only durable state survives; otherwise a random
// prefix of the pending operations survives too, its last write possibly
// torn.
func (f *FS) Crash(r *rand.Rand) *FS {
	f.mu.Lock()
	defer f.mu.Unlock()
	nodes := map[*inode]*inode{}
	clone := func(n *inode) *inode {
		if c, ok := nodes[n]; ok {
			return c
		}
		c := &inode{data: bytes.Clone(n.durable)}
		nodes[n] = c
		return c
	}
	out := New()
	for name, n := range f.durable {
		out.dir[name] = clone(n)
	}
	keep := 0
	if r != nil {
		keep = r.IntN(len(f.order) + 1)
	}
	for i, o := range f.order[:keep] {
		switch o := o.(type) {
		case dirOp:
			if o.node == nil {
				delete(out.dir, o.name)
			} else {
				out.dir[o.name] = clone(o.node)
			}
		case *pendingWrite:
			data := o.data
			if i == keep-1 && r.IntN(2) == 0 {
				data = data[:r.IntN(len(data)+1)] // torn
			}
			c := clone(o.node)
			c.data = writeAt(c.data, o.off, data)
		}
	}
	for name, n := range out.dir {
		n.durable = bytes.Clone(n.data)
		out.durable[name] = n
	}
	return out
}

// pendingWrite is a write to node not yet made durable by a Sync.
type pendingWrite struct {
	node *inode
	off  int
	data []byte
}

func writeAt(b []byte, off int, data []byte) []byte {
	if need := off + len(data); need > len(b) {
		b = append(b, make([]byte, need-len(b))...)
	}
	copy(b[off:], data)
	return b
}

// Names lists the current directory entries (for assertions).
func (f *FS) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Collect(maps.Keys(f.dir))
}

// setEntry changes a directory entry, pending until SyncDir.
func (f *FS) setEntry(name string, n *inode) {
	if n == nil {
		delete(f.dir, name)
	} else {
		f.dir[name] = n
	}
	f.order = append(f.order, dirOp{name, n})
}

// CreateTemp implements tsdb.FS.
func (f *FS) CreateTemp(prefix string) (tsdb.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("create"); err != nil {
		return nil, err
	}
	f.seq++
	name := fmt.Sprintf("%s%d.tmp", prefix, f.seq)
	n := &inode{locked: true}
	f.setEntry(name, n)
	return &file{fs: f, name: name, node: n}, nil
}

// Open implements tsdb.FS. The reader sees the content at open time.
func (f *FS) Open(name string) (tsdb.ReadFile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("open"); err != nil {
		return nil, err
	}
	n, ok := f.dir[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return reader{bytes.NewReader(bytes.Clone(n.data))}, nil
}

// Link implements tsdb.FS.
func (f *FS) Link(oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("link"); err != nil {
		return err
	}
	n, ok := f.dir[oldname]
	if !ok {
		return &fs.PathError{Op: "link", Path: oldname, Err: fs.ErrNotExist}
	}
	if _, ok := f.dir[newname]; ok {
		return &fs.PathError{Op: "link", Path: newname, Err: fs.ErrExist}
	}
	f.setEntry(newname, n)
	return nil
}

// Rename implements tsdb.FS.
func (f *FS) Rename(oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("rename"); err != nil {
		return err
	}
	n, ok := f.dir[oldname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	f.setEntry(newname, n)
	f.setEntry(oldname, nil)
	return nil
}

// Remove implements tsdb.FS.
func (f *FS) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("remove"); err != nil {
		return err
	}
	if _, ok := f.dir[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	f.setEntry(name, nil)
	return nil
}

// List implements tsdb.FS.
func (f *FS) List() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("list"); err != nil {
		return nil, err
	}
	return slices.Collect(maps.Keys(f.dir)), nil
}

// SyncDir implements tsdb.FS: every directory change so far is durable.
func (f *FS) SyncDir() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("syncdir"); err != nil {
		return err
	}
	f.order = slices.DeleteFunc(f.order, func(o any) bool {
		d, ok := o.(dirOp)
		if !ok {
			return false
		}
		if d.node == nil {
			delete(f.durable, d.name)
		} else {
			f.durable[d.name] = d.node
		}
		return true
	})
	return nil
}

// Lock implements tsdb.FS. Lock files are not part of the crash model.
func (f *FS) Lock(name string, wait bool) (io.Closer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("lock"); err != nil {
		return nil, err
	}
	if f.locks[name] {
		if !wait {
			return nil, tsdb.ErrLocked
		}
		return nil, fmt.Errorf("memfs: %s already locked (single-goroutine tests only)", name)
	}
	f.locks[name] = true
	return closer(func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.locks, name)
		return nil
	}), nil
}

// TryLockTemp implements tsdb.FS: a temporary file is stale when no open
// File holds it.
func (f *FS) TryLockTemp(name string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("trylock"); err != nil {
		return false, err
	}
	n, ok := f.dir[name]
	if !ok {
		return false, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return !n.locked, nil
}

// Free implements tsdb.FS.
func (f *FS) Free() (uint64, error) { return 1 << 40, nil }

type closer func() error

func (c closer) Close() error { return c() }

// reader is a ReadFile over a copy of a file's content.
type reader struct{ *bytes.Reader }

func (r reader) Size() int64  { return r.Reader.Size() }
func (r reader) Close() error { return nil }

// file is a File being written.
type file struct {
	fs   *FS
	name string
	node *inode
}

func (w *file) Name() string { return w.name }

func (w *file) Write(p []byte) (int, error) {
	w.fs.mu.Lock()
	defer w.fs.mu.Unlock()
	if err := w.fs.op("write"); err != nil {
		if errors.Is(err, io.ErrShortWrite) && len(p) > 1 {
			// A short write: half of p lands, then the error.
			half := len(p) / 2
			w.apply(p[:half])
			return half, err
		}
		return 0, err
	}
	w.apply(p)
	return len(p), nil
}

func (w *file) apply(p []byte) {
	w.fs.order = append(w.fs.order, &pendingWrite{w.node, len(w.node.data), bytes.Clone(p)})
	w.node.data = append(w.node.data, p...)
}

// Sync makes the file's content durable.
func (w *file) Sync() error {
	w.fs.mu.Lock()
	defer w.fs.mu.Unlock()
	if err := w.fs.op("sync"); err != nil {
		return err
	}
	n := w.node
	n.durable = bytes.Clone(n.data)
	w.fs.order = slices.DeleteFunc(w.fs.order, func(o any) bool { pw, ok := o.(*pendingWrite); return ok && pw.node == n })
	return nil
}

func (w *file) Close() error {
	w.fs.mu.Lock()
	defer w.fs.mu.Unlock()
	w.node.locked = false
	return w.fs.op("close")
}

// WriteFile creates name with data, durably (test set-up).
func (f *FS) WriteFile(name string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := &inode{data: bytes.Clone(data), durable: bytes.Clone(data)}
	f.dir[name], f.durable[name] = n, n
}

// Clone returns a copy of the current state (pending operations
// included), whose operations do not count towards this one's crash or
// failure points: for inspecting a file system under test.
func (f *FS) Clone() *FS {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := New()
	nodes := map[*inode]*inode{}
	for name, n := range f.dir {
		c, ok := nodes[n]
		if !ok {
			c = &inode{data: bytes.Clone(n.data), durable: bytes.Clone(n.data), locked: n.locked}
			nodes[n] = c
		}
		out.dir[name], out.durable[name] = c, c
	}
	return out
}
