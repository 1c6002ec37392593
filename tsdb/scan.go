package tsdb

import (
	"errors"
	"runtime"
	"sync"

	"github.com/chime-tsdb/chime/format"
)

// Scan calls emit with every row sel selects (nil: every row), merged
// across files, in key then time order. It stops at the first error,
// emit's included.
func (s *Snapshot) Scan(sel *Selector, emit Emit) error {
	return s.scan(compile(sel), emit)
}

func (s *Snapshot) scan(p *query, emit Emit) error {
	rows := s.rows(p)
	for rows.Next() {
		if err := emit(rows.Block()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AppendFunc renders rows [from, to) of b by appending to dst.
type AppendFunc func(dst []byte, b *format.Block, from, to int) []byte

// ScanAppend renders every selected row with render on up to workers
// goroutines (0: one per CPU) and passes the rendered bytes to write in
// key then time order, on the calling goroutine. Memory stays bounded: a
// few batches of about batchRows rows per worker are in flight at a time.
func (s *Snapshot) ScanAppend(sel *Selector, workers int, render AppendFunc, write func([]byte) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := compile(sel)
	if workers == 1 || p.exactKeys() {
		return s.sequentialScan(p, render, write)
	}
	return s.parallelScan(p, workers, render, write)
}

// flushSize is how much rendered output the sequential scan gathers
// before writing: small enough that one buffer, reused, stays in the cache
// and touches few fresh pages (a single-key read is dominated by page
// faults otherwise).
const flushSize = 64 << 10

// sequentialScan renders on the calling goroutine. An exact key is one
// unit of work, so it gains nothing from workers and starts faster alone.
func (s *Snapshot) sequentialScan(p *query, render AppendFunc, write func([]byte) error) error {
	buf := make([]byte, 0, flushSize+4096)
	err := s.scan(p, func(b *format.Block, from, to int) error {
		for from < to {
			// Render a few rows at a time so the buffer never grows much.
			n := min(to-from, 256)
			buf = render(buf, b, from, from+n)
			from += n
			if len(buf) >= flushSize {
				if err := write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		return nil
	})
	if err == nil && len(buf) > 0 {
		err = write(buf)
	}
	return err
}

const batchRows = 16384

// bufPool recycles the rendered output of batches: growing a fresh buffer
// for every batch cost more than rendering on the full-scan benchmark.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

type batch struct {
	units  []*keyUnit
	buf    []byte
	result any // what other work than rendering made of the batch
	err    error
	done   chan struct{}
}

func (s *Snapshot) parallelScan(p *query, workers int, render AppendFunc, write func([]byte) error) error {
	renderer := func() func(*batch) {
		var m merger
		return func(b *batch) { b.render(&m, p, render) }
	}
	return s.inBatches(p, workers, renderer, func(b *batch) error { return write(b.buf) })
}

// inBatches cuts the selected keys into batches, runs the work that
// newWorker returns on each, on workers goroutines (one work function
// each), and passes the finished batches to done in key order on the
// calling goroutine. The work sets b.err, and b.buf or b.result.
func (s *Snapshot) inBatches(p *query, workers int, newWorker func() func(*batch), done func(*batch) error) error {
	s.readingAll(p)
	markers := compileMarkers(s.markers)
	jobs := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	stop := make(chan struct{})
	var walkErr error
	go func() {
		defer close(order)
		defer close(jobs)
		walkErr = s.dispatch(p, markers, jobs, order, stop)
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			for b := range jobs {
				work(b)
			}
		}()
	}
	var err error
	for b := range order {
		<-b.done
		if err == nil {
			err = b.err
		}
		if err == nil {
			err = done(b)
		}
		b.release()
		if err != nil {
			select {
			case <-stop:
			default:
				close(stop)
			}
		}
	}
	wg.Wait()
	return errors.Join(err, walkErr)
}

// dispatch walks the index and sends batches of keys to the workers and, in
// the same order, to the writer.
func (s *Snapshot) dispatch(p *query, markers []*marker, jobs, order chan<- *batch, stop <-chan struct{}) error {
	cur := &batch{done: make(chan struct{})}
	rows := 0
	send := func() error {
		select {
		case order <- cur:
		case <-stop:
			return errStopped
		}
		jobs <- cur
		cur, rows = &batch{done: make(chan struct{})}, 0
		return nil
	}
	err := s.walk(p, markers, func(u *keyUnit) error {
		cur.units = append(cur.units, u)
		if rows += u.rows; rows >= batchRows || len(cur.units) >= 1024 {
			return send()
		}
		return nil
	})
	if err == nil && len(cur.units) > 0 {
		err = send()
	}
	if err == errStopped {
		err = nil
	}
	return err
}

var errStopped = errors.New("stopped")

func (b *batch) render(m *merger, p *query, render AppendFunc) {
	defer close(b.done)
	b.buf = (*bufPool.Get().(*[]byte))[:0]
	for _, u := range b.units {
		b.err = m.mergeKey(u, p.tlo, p.thi, func(blk *format.Block, from, to int) error {
			b.buf = render(b.buf, blk, from, to)
			return nil
		})
		if b.err != nil {
			return
		}
	}
	b.units = nil
}

// release returns the batch's buffer to the pool once written.
func (b *batch) release() {
	if b.buf == nil {
		return
	}
	buf := b.buf
	b.buf = nil
	bufPool.Put(&buf)
}
