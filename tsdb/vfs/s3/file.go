package s3

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

const (
	// tailSize is what Open fetches of an object's end: the footer, top
	// index and meta of any file, and every index page of most.
	tailSize = 256 << 10
	// unit is the alignment and the smallest size of a block fetch: reads
	// are planned in whole units, so that neighbouring blocks come in one
	// request and the cache's keys repeat.
	unit = 1 << 20
	// maxAhead is the most units a scan's read-ahead fetches at once.
	maxAhead = 8
	// keepUnits bounds the units a File holds in memory.
	keepUnits = 24
	// maxPrefetch bounds a Prefetch range held in memory.
	maxPrefetch = 256 << 20
)

// Open fetches the object's tail (or all of a small object) in one GET,
// pinned with If-Match to v when given. A listed object of at most
// tailSize bytes is fetched whole.
func (s *Store) Open(name string, v vfs.Version) (vfs.File, error) {
	f := &file{s: s, name: name, units: map[int64]*fetch{}}
	if c, ok := s.cache.tail(s.key(name), v); ok {
		f.etag, f.size, f.tail = v, c.size, c
		return f, nil
	}
	rng := "bytes=-" + strconv.Itoa(tailSize)
	n, ok := s.knownSize(name, v)
	if ok && n == 0 {
		// An empty object (the main of `chime init`): its bytes, none,
		// cannot differ, so no request is needed to read them.
		f.etag, f.tail = v, &chunk{}
		return f, nil
	}
	if ok && n <= tailSize {
		rng = "" // the whole object: no range, which an empty object would refuse
	}
	r, err := s.get(name, v, rng)
	if err != nil && rng != "" && status(err) == 416 {
		r, err = s.get(name, v, "") // an empty object has no range
	}
	if err != nil {
		return nil, err
	}
	f.etag, f.size = vfs.Version(r.etag), r.size
	f.tail = &chunk{off: r.off, data: r.data, size: r.size}
	s.cache.putTail(s.key(name), f.etag, f.tail)
	return f, nil
}

// file is an object open for reading: its tail, and the units fetched
// since, each pinned to its ETag.
type file struct {
	s    *Store
	name string
	etag vfs.Version
	size int64
	tail *chunk

	mu       sync.Mutex
	units    map[int64]*fetch // by unit index
	order    []int64          // units in the order fetched, for eviction
	extra    []*chunk         // Prefetch ranges
	lastEnd  int64            // where the previous read ended
	ahead    int              // the read-ahead, in units, of a scan
	inflight int              // read-aheads running
}

// chunk is a fetched range of an object.
type chunk struct {
	off  int64
	data []byte
	size int64 // the object's size
}

func (c *chunk) has(off, n int64) bool { return off >= c.off && off+n <= c.off+int64(len(c.data)) }

// fetch is one unit: fetched, or being fetched (done closes then).
type fetch struct {
	done chan struct{}
	data []byte
	err  error
}

func (f *file) Size() int64          { return f.size }
func (f *file) Version() vfs.Version { return f.etag }
func (f *file) Close() error         { return nil }

// ReadAt reads from the tail, the Prefetch ranges or the units, fetching
// the units missing in one request (several for a long read-ahead).
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset", f.name)
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := p[:min(int64(len(p)), f.size-off)]
	if f.tail.has(off, int64(len(want))) {
		copy(want, f.tail.data[off-f.tail.off:])
		return f.done(len(want), len(p))
	}
	f.mu.Lock()
	for _, c := range f.extra {
		if c.has(off, int64(len(want))) {
			f.mu.Unlock()
			copy(want, c.data[off-c.off:])
			return f.done(len(want), len(p))
		}
	}
	first, last := off/unit, (off+int64(len(want))-1)/unit
	waits := f.plan(off, first, last)
	f.mu.Unlock()
	for u := first; u <= last; u++ {
		w := waits[u-first]
		<-w.done
		if w.err != nil {
			f.forget(u, w)
			return 0, w.err
		}
		lo := max(off, u*unit)
		hi := min(off+int64(len(want)), (u+1)*unit)
		copy(want[lo-off:hi-off], w.data[lo-u*unit:])
	}
	return f.done(len(want), len(p))
}

func (f *file) done(n, asked int) (int, error) {
	if n < asked {
		return n, io.EOF
	}
	return n, nil
}

// plan returns the fetches of units first..last, starting the missing
// ones in one request, and a read-ahead after them when reads go forward
// (a scan). Called with f.mu held.
func (f *file) plan(off, first, last int64) []*fetch {
	seq := off >= f.lastEnd-unit && off <= f.lastEnd+unit && f.lastEnd > 0
	f.lastEnd = (last + 1) * unit
	out := make([]*fetch, 0, last-first+1)
	var missing []int64
	for u := first; u <= last; u++ {
		w, ok := f.units[u]
		if !ok {
			w = f.start(u)
			missing = append(missing, u)
		}
		out = append(out, w)
	}
	if len(missing) > 0 {
		go f.fetchUnits(missing[0], missing[len(missing)-1])
	}
	if !seq {
		f.ahead = 0
		return out
	}
	f.ahead = min(max(2*f.ahead, 1), maxAhead)
	f.readAhead(last+1, last+int64(f.ahead))
	return out
}

// readAhead starts fetching the units lo..hi not held yet, in two
// requests in flight when there are several, at most two read-aheads at
// once. Called with f.mu held.
func (f *file) readAhead(lo, hi int64) {
	hi = min(hi, (f.size-1)/unit)
	for lo <= hi {
		if _, ok := f.units[lo]; !ok {
			break
		}
		lo++
	}
	if lo > hi || f.inflight >= 2 || f.tail.has(lo*unit, min(unit, f.size-lo*unit)) {
		return
	}
	end := lo
	for end < hi {
		if _, ok := f.units[end+1]; ok {
			break
		}
		end++
	}
	for u := lo; u <= end; u++ {
		f.start(u)
	}
	mid := lo + (end-lo)/2
	parts := [][2]int64{{lo, end}}
	if end > lo {
		parts = [][2]int64{{lo, mid}, {mid + 1, end}}
	}
	for _, r := range parts {
		f.inflight++
		go func() {
			f.fetchUnits(r[0], r[1])
			f.mu.Lock()
			f.inflight--
			f.mu.Unlock()
		}()
	}
}

// start registers a unit being fetched, evicting the oldest units beyond
// keepUnits. Called with f.mu held.
func (f *file) start(u int64) *fetch {
	w := &fetch{done: make(chan struct{})}
	f.units[u] = w
	f.order = append(f.order, u)
	for len(f.order) > keepUnits {
		old := f.order[0]
		f.order = f.order[1:]
		if ow, ok := f.units[old]; ok && ow != w {
			select {
			case <-ow.done:
				delete(f.units, old)
			default: // still being fetched: keep it
				f.order = append(f.order, old)
			}
		}
		if len(f.order) > 2*keepUnits {
			break
		}
	}
	return w
}

// forget drops a failed fetch, so that the next read tries again.
func (f *file) forget(u int64, w *fetch) {
	f.mu.Lock()
	if f.units[u] == w {
		delete(f.units, u)
	}
	f.mu.Unlock()
}

// fetchUnits fetches units lo..hi, those the cache lacks in one ranged
// GET, and completes their fetches.
func (f *file) fetchUnits(lo, hi int64) {
	f.mu.Lock()
	ws := make([]*fetch, 0, hi-lo+1)
	for u := lo; u <= hi; u++ {
		ws = append(ws, f.units[u])
	}
	f.mu.Unlock()
	key := f.s.key(f.name)
	datas := make([][]byte, len(ws))
	missLo, missHi := int64(-1), int64(-1)
	for u := lo; u <= hi; u++ {
		if d, ok := f.s.cache.rangeData(key, f.etag, u*unit, f.unitEnd(u)); ok {
			datas[u-lo] = d
			continue
		}
		if missLo < 0 {
			missLo = u
		}
		missHi = u
	}
	var err error
	if missLo >= 0 {
		var data []byte
		if data, err = f.fetchRange(missLo*unit, f.unitEnd(missHi)); err == nil {
			for u := missLo; u <= missHi; u++ {
				if datas[u-lo] == nil {
					d := data[(u-missLo)*unit : f.unitEnd(u)-missLo*unit]
					datas[u-lo] = d
					f.s.cache.putRange(key, f.etag, u*unit, d)
				}
			}
		}
	}
	for i, w := range ws {
		if w == nil {
			continue
		}
		w.data, w.err = datas[i], err
		if w.data != nil {
			w.err = nil
		}
		close(w.done)
	}
}

// unitEnd is where unit u ends: the next unit, or the object's end.
func (f *file) unitEnd(u int64) int64 { return min((u+1)*unit, f.size) }

// fetchRange GETs the bytes lo..hi of the object, pinned to its ETag.
func (f *file) fetchRange(lo, hi int64) ([]byte, error) {
	r, err := f.s.get(f.name, f.etag, fmt.Sprintf("bytes=%d-%d", lo, hi-1))
	if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
		return nil, &goneError{err}
	}
	if err != nil {
		return nil, err
	}
	if r.off != lo || int64(len(r.data)) != hi-lo {
		return nil, fmt.Errorf("read %s: the server sent bytes %d..%d for %d..%d", f.name, r.off, r.off+int64(len(r.data)), lo, hi)
	}
	return r.data, nil
}

// Prefetch fetches the range off..off+n in one request, ahead of the
// reads of a whole index (segment.Prefetcher); a hint: errors are left
// for the reads to meet.
func (f *file) Prefetch(off, n int64) {
	off, n = max(off, 0), min(n, f.size-max(off, 0))
	if n <= 0 || n > maxPrefetch || f.tail.has(off, n) {
		return
	}
	f.mu.Lock()
	for _, c := range f.extra {
		if c.has(off, n) {
			f.mu.Unlock()
			return
		}
	}
	f.mu.Unlock()
	key := f.s.key(f.name)
	data, ok := f.s.cache.rangeData(key, f.etag, off, off+n)
	if !ok {
		var err error
		if data, err = f.fetchRange(off, off+n); err != nil {
			return
		}
		f.s.cache.putRange(key, f.etag, off, data)
	}
	f.mu.Lock()
	f.extra = append(f.extra, &chunk{off: off, data: data, size: f.size})
	f.mu.Unlock()
}

// goneError is a read of an open object that is gone (or holds another
// version): a database removes the objects a compaction replaced once
// its grace period has passed, and a read that outlives it fails so,
// never with other bytes. It wraps the GET's error (vfs.ErrNotExist or
// vfs.ErrChanged). Its message is the cause alone, as Error's: callers
// name the object.
type goneError struct{ err error }

func (e *goneError) Error() string {
	return "removed while being read (a compaction replaced it, and its grace period, compact --grace, has passed): read again"
}

func (e *goneError) Unwrap() error { return e.err }

// got is a GET's reply: the bytes, where they start, the object's size
// and ETag.
type got struct {
	data []byte
	off  int64
	size int64
	etag string
}

// get fetches a range ("" for all) of the object name, pinned to v when
// given. A body cut short (a dying connection, a storage node going
// away) is fetched again by the client, a bounded number of times.
func (s *Store) get(name string, v vfs.Version, rng string) (got, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	out, err := s.client.GetObject(ctx, s3api.GetObjectInput{Bucket: s.bucket, Key: s.key(name), Range: rng, IfMatch: string(v)})
	if err != nil {
		return got{}, s.openError(name, v, err)
	}
	n := int64(len(out.Body))
	r := got{data: out.Body, size: n, etag: out.ETag}
	if cr := out.ContentRange; cr != "" {
		if r.off, r.size, err = parseContentRange(cr); err != nil {
			return got{}, fmt.Errorf("read %s: %w", name, err)
		}
	}
	if v != "" && r.etag != "" && r.etag != string(v) {
		// A server that ignored If-Match: never other bytes.
		return got{}, fmt.Errorf("open %s: %w", name, vfs.ErrChanged)
	}
	return r, nil
}

// openError is a failed GET: ErrChanged for 412 (the name holds another
// version), ErrNotExist for 404.
func (s *Store) openError(name string, v vfs.Version, err error) error {
	e := s.failName("read", name, err)
	if status(err) == 412 && v != "" {
		return fmt.Errorf("%w: %w", vfs.ErrChanged, e)
	}
	return e
}

// parseContentRange parses "bytes FIRST-LAST/SIZE".
func parseContentRange(s string) (off, size int64, err error) {
	rest, ok := strings.CutPrefix(s, "bytes ")
	r, total, ok2 := strings.Cut(rest, "/")
	first, _, ok3 := strings.Cut(r, "-")
	if ok && ok2 && ok3 {
		off, err = strconv.ParseInt(first, 10, 64)
		if err == nil {
			size, err = strconv.ParseInt(total, 10, 64)
		}
		if err == nil {
			return off, size, nil
		}
	}
	return 0, 0, fmt.Errorf("unreadable Content-Range %q", s)
}
