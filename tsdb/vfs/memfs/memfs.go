// Package memfs is the in-memory twin of a chime store (vfs.FS), for
// tests: it can crash, fail any operation, and behave either as a local
// directory or as an object store.
//
// As a directory it keeps what a real file system keeps across a power
// cut: data a Publish made durable (the file's fsync) and directory
// entries made durable by the directory's fsync. Crash returns the store as
// it would come back: only the durable state, or that plus a random prefix
// of the operations that were not yet durable, the last of them possibly
// torn.
//
// As an object store (Options.Objects) every publish is durable when it
// returns, nothing replaces a name, a removed object cannot be read through
// Files opened before, listings come in pages assembled at different
// moments, locks are leases on a logical clock that expire unless renewed,
// and a write can be applied and still reported failed. A Hook called at
// every operation lets a test pause any actor between any two calls.
package memfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// ErrCrashed is returned by every operation after the armed crash point.
var ErrCrashed = errors.New("memfs: crashed")

// ErrApplied is wrapped by an injected failure of an operation that took
// effect all the same (a network reply lost), see FailAt.
var ErrApplied = errors.New("memfs: applied, but reported failed")

// Options choose the store's behaviour. The zero value is a local
// directory.
type Options struct {
	// Objects makes it an object store (see the package documentation).
	Objects bool
	// PageSize is the number of names per page of a listing; 0 lists in
	// one page.
	PageSize int
	// LeaseTTL is how long an object store's lock lasts without renewal,
	// on the logical clock (see Advance); 0 means a minute.
	LeaseTTL time.Duration
	// Hook, when set, is called at the start of every operation and
	// between the pages of a listing, without the store's lock held: a
	// test scheduler can block there to interleave actors.
	Hook func(op, name string)
	// Free is what Free reports; 0 means a terabyte.
	Free uint64
}

// inode is an object's content: what is durable and what is not yet.
type inode struct {
	id      uint64
	data    []byte // current content
	durable []byte // content as of the last sync
	locked  bool   // a live writer's temporary file
	mod     time.Time
}

// dirOp is one not yet durable directory change: name now points to node,
// or to nothing when node is nil.
type dirOp struct {
	name string
	node *inode
}

// pendingWrite is a write to node not yet made durable by a sync.
type pendingWrite struct {
	node *inode
	off  int
	data []byte
}

// lease is a held lock: its holder's token and when it expires.
type lease struct {
	token   uint64
	expires time.Time
}

// FS is the twin store. It is safe for concurrent use.
type FS struct {
	opts Options

	mu      sync.Mutex
	dir     map[string]*inode // current entries
	durable map[string]*inode // entries as of the last directory sync
	order   []any             // pending dirOps and *pendingWrites, in order
	locks   map[string]lease
	now     time.Time
	seq     uint64

	ops     int // operations so far
	crashAt int // operation index that crashes; -1: never
	failAt  int // operation index that fails with failErr; -1: never
	failErr error
	failed  string // the kind of operation the injected failure hit
	crashed bool
}

// New returns an empty store.
func New(o Options) *FS {
	if o.LeaseTTL == 0 {
		o.LeaseTTL = time.Minute
	}
	return &FS{opts: o, dir: map[string]*inode{}, durable: map[string]*inode{}, locks: map[string]lease{},
		now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), crashAt: -1, failAt: -1}
}

// String names the store.
func (f *FS) String() string {
	if f.opts.Objects {
		return "memfs://objects"
	}
	return "memfs://dir"
}

// Caps: a directory replaces atomically and keeps removed files readable;
// an object store does neither.
func (f *FS) Caps() vfs.Caps {
	return vfs.Caps{Replace: !f.opts.Objects, KeepOpen: !f.opts.Objects}
}

// Ops is the number of operations performed so far.
func (f *FS) Ops() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// CrashAt makes operation n (counting from the store's creation) and every
// later one fail with ErrCrashed, as if the machine lost power there.
func (f *FS) CrashAt(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.crashAt = n
}

// FailAt makes operation n fail with err, once. When err wraps
// ErrApplied, a Publish or Remove takes effect before reporting it.
func (f *FS) FailAt(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt, f.failErr = n, err
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

// Advance moves the logical clock (lease expiry, modification times).
func (f *FS) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Now is the logical clock: the store's clock, on which the grace
// periods of a database are measured (it implements tsdb.Clock).
func (f *FS) Now() (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now, nil
}

// hook calls Options.Hook, outside the lock.
func (f *FS) hook(op, name string) {
	f.mu.Lock()
	h := f.opts.Hook
	f.mu.Unlock()
	if h != nil {
		h(op, name)
	}
}

// op counts an operation of the given kind and says whether it must fail.
// Called with the lock held.
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

// applied reports whether an injected failure lets the operation take
// effect.
func applied(err error) bool { return errors.Is(err, ErrApplied) }

// Crash returns the store as it comes back after a power cut at this
// moment. With r nil only durable state survives; otherwise a random prefix
// of the pending operations survives too, its last write possibly torn.
func (f *FS) Crash(r *rand.Rand) *FS {
	f.mu.Lock()
	defer f.mu.Unlock()
	nodes := map[*inode]*inode{}
	clone := func(n *inode) *inode {
		if c, ok := nodes[n]; ok {
			return c
		}
		c := &inode{id: n.id, data: bytes.Clone(n.durable), mod: n.mod}
		nodes[n] = c
		return c
	}
	out := New(f.opts)
	out.seq, out.now = f.seq, f.now
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

func writeAt(b []byte, off int, data []byte) []byte {
	if need := off + len(data); need > len(b) {
		b = append(b, make([]byte, need-len(b))...)
	}
	copy(b[off:], data)
	return b
}

// Names lists the current entries, temporary files included (for
// assertions).
func (f *FS) Names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.dir))
}

// WriteFile makes name hold data, durably (test set-up).
func (f *FS) WriteFile(name string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.newNode(bytes.Clone(data))
	n.durable = bytes.Clone(data)
	f.dir[name], f.durable[name] = n, n
}

// ReadFile returns what name holds now (test assertions).
func (f *FS) ReadFile(name string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.dir[name]
	if !ok {
		return nil, false
	}
	return bytes.Clone(n.data), true
}

// Clone returns a copy of the current state (pending operations
// included), whose operations do not count towards this one's crash or
// failure points: for inspecting a store under test.
func (f *FS) Clone() *FS {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := New(f.opts)
	out.opts.Hook = nil
	out.seq, out.now = f.seq, f.now
	nodes := map[*inode]*inode{}
	for name, n := range f.dir {
		c, ok := nodes[n]
		if !ok {
			c = &inode{id: n.id, data: bytes.Clone(n.data), durable: bytes.Clone(n.data), locked: n.locked, mod: n.mod}
			nodes[n] = c
		}
		out.dir[name], out.durable[name] = c, c
	}
	return out
}

func (f *FS) newNode(data []byte) *inode {
	f.seq++
	return &inode{id: f.seq, data: data, mod: f.now}
}

// setEntry changes a directory entry: pending until a directory sync,
// except in an object store, where every change is durable at once.
func (f *FS) setEntry(name string, n *inode) {
	if n == nil {
		delete(f.dir, name)
	} else {
		f.dir[name] = n
	}
	if f.opts.Objects {
		if n == nil {
			delete(f.durable, name)
		} else {
			f.durable[name] = n
		}
		return
	}
	f.order = append(f.order, dirOp{name, n})
}

// syncDir makes every directory change so far durable.
func (f *FS) syncDir() {
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
}

// syncNode makes a node's content durable.
func (f *FS) syncNode(n *inode) {
	n.durable = bytes.Clone(n.data)
	f.order = slices.DeleteFunc(f.order, func(o any) bool { pw, ok := o.(*pendingWrite); return ok && pw.node == n })
}

func version(n *inode) vfs.Version { return vfs.Version(fmt.Sprintf("v%d", n.id)) }

// hidden reports whether List leaves name out: the store's own names.
func hidden(name string) bool { return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") }

// List lists the objects. With Options.PageSize, pages are read one at a
// time, the store unlocked (and the hook called) between them: a name
// removed after its page was read is still listed, a name added before an
// earlier page's range is missed, as on object stores that page LIST.
func (f *FS) List() ([]vfs.Entry, error) {
	f.hook("list", "")
	var out []vfs.Entry
	after := ""
	for page := 0; ; page++ {
		if page > 0 {
			f.hook("list-page", after)
		}
		entries, more, err := f.listPage(after, page == 0)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
		if !more {
			return out, nil
		}
		after = entries[len(entries)-1].Name
	}
}

func (f *FS) listPage(after string, first bool) ([]vfs.Entry, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if first {
		if err := f.op("list"); err != nil {
			return nil, false, err
		}
	}
	var names []string
	for name := range f.dir {
		if !hidden(name) && name > after {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	more := false
	if f.opts.PageSize > 0 && len(names) > f.opts.PageSize {
		names, more = names[:f.opts.PageSize], true
	}
	out := make([]vfs.Entry, len(names))
	for i, name := range names {
		n := f.dir[name]
		out[i] = vfs.Entry{Name: name, Version: version(n), Size: int64(len(n.data)), ModTime: n.mod}
	}
	return out, more, nil
}

// Open opens an object, pinned to v when given.
func (f *FS) Open(name string, v vfs.Version) (vfs.File, error) {
	f.hook("open", name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("open"); err != nil {
		return nil, err
	}
	n, ok := f.dir[name]
	if !ok || hidden(name) {
		return nil, fmt.Errorf("open %s: %w", name, vfs.ErrNotExist)
	}
	if v != "" && version(n) != v {
		return nil, fmt.Errorf("open %s: %w", name, vfs.ErrChanged)
	}
	return &file{fs: f, name: name, node: n, data: bytes.Clone(n.data)}, nil
}

// file is an open object: a copy of its content at open time. In an
// object store, reads fail once the object is removed.
type file struct {
	fs   *FS
	name string
	node *inode
	data []byte
}

func (r *file) Size() int64          { return int64(len(r.data)) }
func (r *file) Version() vfs.Version { return version(r.node) }
func (r *file) Close() error         { return nil }

func (r *file) ReadAt(p []byte, off int64) (int, error) {
	if r.fs.opts.Objects {
		r.fs.hook("read", r.name)
		r.fs.mu.Lock()
		err := r.fs.op("read")
		gone := r.fs.dir[r.name] != r.node
		r.fs.mu.Unlock()
		if err != nil {
			return 0, err
		}
		if gone {
			return 0, fmt.Errorf("read %s: %w", r.name, vfs.ErrNotExist)
		}
	}
	if off < 0 || off > int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Create starts a pending object. In a directory it is a temporary file
// (listed by Names, not by List) that a crash leaves behind; in an object
// store it is invisible.
func (f *FS) Create() (vfs.Pending, error) {
	f.hook("create", "")
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("create"); err != nil {
		return nil, err
	}
	n := f.newNode(nil)
	n.locked = true
	p := &pending{fs: f, node: n}
	if !f.opts.Objects {
		p.tmp = fmt.Sprintf("tx-%d.tmp", n.id)
		f.setEntry(p.tmp, n)
	}
	return p, nil
}

// pending is an object being written.
type pending struct {
	fs     *FS
	node   *inode
	tmp    string // the temporary name in a directory
	synced bool
	closed bool
}

func (p *pending) Write(b []byte) (int, error) {
	f := p.fs
	f.hook("write", p.tmp)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("write"); err != nil {
		if errors.Is(err, io.ErrShortWrite) && len(b) > 1 {
			half := len(b) / 2 // a short write: half of b lands, then the error
			p.apply(b[:half])
			return half, err
		}
		return 0, err
	}
	p.apply(b)
	return len(b), nil
}

func (p *pending) apply(b []byte) {
	p.synced = false
	if !p.fs.opts.Objects {
		p.fs.order = append(p.fs.order, &pendingWrite{p.node, len(p.node.data), bytes.Clone(b)})
	}
	p.node.data = append(p.node.data, b...)
}

// sync makes the content durable before its first publication (a
// directory's fsync of the file).
func (p *pending) sync() error {
	if p.synced || p.fs.opts.Objects {
		return nil
	}
	if err := p.fs.op("sync"); err != nil {
		return err
	}
	p.fs.syncNode(p.node)
	p.synced = true
	return nil
}

// Publish gives the content a name if the name is free. In a directory it
// syncs the file, links it and syncs the directory; in an object store the
// name is durable at once (its new object a copy of the content).
func (p *pending) Publish(name string) error {
	f := p.fs
	f.hook("publish", name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.closed {
		return errors.New("publish: pending object closed")
	}
	if err := p.sync(); err != nil {
		return err
	}
	err := f.op("publish")
	if err != nil && !applied(err) {
		return err
	}
	if _, taken := f.dir[name]; taken {
		return fmt.Errorf("publish %s: %w", name, vfs.ErrExist)
	}
	n := p.node
	if f.opts.Objects {
		n = f.newNode(bytes.Clone(p.node.data))
		n.durable = bytes.Clone(n.data)
	} else {
		n.mod = f.now
	}
	f.setEntry(name, n)
	if err != nil {
		return err
	}
	if !f.opts.Objects {
		if err := f.op("syncdir"); err != nil {
			f.setEntry(name, nil) // taken back, as vfs.Dir does
			return err
		}
		f.syncDir()
	}
	return nil
}

// Replace renames the content over name (directories only).
func (p *pending) Replace(name string) error {
	f := p.fs
	f.hook("replace", name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.opts.Objects {
		return fmt.Errorf("replace %s: %w", name, vfs.ErrUnsupported)
	}
	if p.closed || p.tmp == "" {
		return errors.New("replace: pending object closed or renamed")
	}
	if err := p.sync(); err != nil {
		return err
	}
	if err := f.op("rename"); err != nil {
		return err
	}
	f.setEntry(name, p.node)
	f.setEntry(p.tmp, nil)
	p.tmp = ""
	if err := f.op("syncdir"); err != nil {
		return err
	}
	f.syncDir()
	return nil
}

// Close removes the temporary name and unlocks the content.
func (p *pending) Close() error {
	f := p.fs
	f.hook("close", p.tmp)
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.node.locked = false
	err := f.op("close")
	if p.tmp != "" {
		if rerr := f.op("remove"); rerr == nil {
			f.setEntry(p.tmp, nil)
		} else {
			err = errors.Join(err, rerr)
		}
		p.tmp = ""
	}
	return err
}

// Remove removes objects; in a directory it then syncs the directory.
func (f *FS) Remove(names ...string) error {
	f.hook("remove", strings.Join(names, " "))
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, name := range names {
		err := f.op("remove")
		if err != nil && !applied(err) {
			return err
		}
		if _, ok := f.dir[name]; ok {
			f.setEntry(name, nil)
		}
		if err != nil {
			return err
		}
	}
	if len(names) == 0 || f.opts.Objects {
		return nil
	}
	if err := f.op("syncdir"); err != nil {
		return err
	}
	f.syncDir()
	return nil
}

// Stale names the temporary files of writers that are gone (no open
// Pending holds them).
func (f *FS) Stale() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for name, n := range f.dir {
		if strings.HasSuffix(name, ".tmp") && !n.locked {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// RemoveStale removes the temporary files of writers that are gone.
func (f *FS) RemoveStale() error {
	f.hook("sweep", "")
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("sweep"); err != nil {
		return err
	}
	for name, n := range f.dir {
		if strings.HasSuffix(name, ".tmp") && !n.locked {
			f.setEntry(name, nil)
		}
	}
	return nil
}

// Free reports Options.Free, or a terabyte.
func (f *FS) Free() (uint64, error) {
	if f.opts.Free > 0 {
		return f.opts.Free, nil
	}
	return 1 << 40, nil
}

// SetHook replaces Options.Hook.
func (f *FS) SetHook(hook func(op, name string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.Hook = hook
}

// Lock takes a lock. In a directory it is held until released (flock dies
// with its holder, which tests model by releasing). In an object store it
// is a lease: it expires LeaseTTL after it was taken or last checked, on
// the logical clock, and then another may take it over.
func (f *FS) Lock(name string, wait bool) (vfs.Lock, error) {
	for {
		f.hook("lock", name)
		l, err := f.tryLock(name)
		if err == nil || !errors.Is(err, vfs.ErrLocked) || !wait {
			return l, err
		}
		f.mu.Lock()
		noHook := f.opts.Hook == nil
		f.mu.Unlock()
		if noHook {
			return nil, fmt.Errorf("memfs: %s held and nothing can release it: %w", name, err)
		}
	}
}

func (f *FS) tryLock(name string) (vfs.Lock, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("lock"); err != nil {
		return nil, err
	}
	if l, held := f.locks[name]; held && (!f.opts.Objects || f.now.Before(l.expires)) {
		return nil, fmt.Errorf("lock %s: %w", name, vfs.ErrLocked)
	}
	f.seq++
	l := lease{token: f.seq, expires: f.now.Add(f.opts.LeaseTTL)}
	f.locks[name] = l
	return &memLock{fs: f, name: name, token: l.token}, nil
}

// RenewExcept renews every lease held but those of the locks given: a
// simulation pauses one actor while the others' leases are renewed, as
// their processes' renewers would do meanwhile.
func (f *FS) RenewExcept(except ...vfs.Lock) {
	f.mu.Lock()
	defer f.mu.Unlock()
	skip := map[uint64]bool{}
	for _, l := range except {
		if ml, ok := l.(*memLock); ok {
			skip[ml.token] = true
		}
	}
	for name, l := range f.locks {
		if !skip[l.token] {
			l.expires = f.now.Add(f.opts.LeaseTTL)
			f.locks[name] = l
		}
	}
}

type memLock struct {
	fs    *FS
	name  string
	token uint64
}

// Check renews the lease if it is still this holder's.
func (l *memLock) Check() error {
	f := l.fs
	f.hook("lock-check", l.name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.op("lock-check"); err != nil {
		return err
	}
	cur, held := f.locks[l.name]
	if !held || cur.token != l.token || f.opts.Objects && !f.now.Before(cur.expires) {
		return fmt.Errorf("lock %s: lost (expired and taken over)", l.name)
	}
	cur.expires = f.now.Add(f.opts.LeaseTTL)
	f.locks[l.name] = cur
	return nil
}

// Release gives the lock up if it is still this holder's.
func (l *memLock) Release() error {
	f := l.fs
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur, held := f.locks[l.name]; held && cur.token == l.token {
		delete(f.locks, l.name)
	}
	return nil
}
