package tsdb

import (
	"errors"
	"runtime"
	"sync"

	"github.com/chime-tsdb/chime/format"
)

// Scan calls emit with every selected row, merged across files, in key
// then time order. It stops at the first error, emit's included.
func (s *Snapshot) Scan(sel *Selector, emit Emit) error {
	p := compile(sel)
	markers := compileMarkers(s.markers)
	var m merger
	return s.walk(p, markers, func(u *keyUnit) error {
		return m.mergeKey(u, p.tlo, p.thi, emit)
	})
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
	markers := compileMarkers(s.markers)
	if workers == 1 {
		var buf []byte
		err := s.Scan(sel, func(b *format.Block, from, to int) error {
			buf = render(buf, b, from, to)
			if len(buf) < 1<<20 {
				return nil
			}
			err := write(buf)
			buf = buf[:0]
			return err
		})
		if err == nil && len(buf) > 0 {
			err = write(buf)
		}
		return err
	}
	return s.parallelScan(p, markers, workers, render, write)
}

const batchRows = 16384

type batch struct {
	units []*keyUnit
	buf   []byte
	err   error
	done  chan struct{}
}

func (s *Snapshot) parallelScan(p *plan, markers []*marker, workers int, render AppendFunc, write func([]byte) error) error {
	jobs := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	stop := make(chan struct{})
	var planErr error
	go func() {
		defer close(order)
		defer close(jobs)
		planErr = s.plan(p, markers, jobs, order, stop)
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m merger
			for b := range jobs {
				b.render(&m, p, render)
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
			err = write(b.buf)
		}
		if err != nil {
			select {
			case <-stop:
			default:
				close(stop)
			}
		}
	}
	wg.Wait()
	return errors.Join(err, planErr)
}

// plan walks the index and sends batches of keys to the workers and, in
// the same order, to the writer.
func (s *Snapshot) plan(p *plan, markers []*marker, jobs, order chan<- *batch, stop <-chan struct{}) error {
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

func (b *batch) render(m *merger, p *plan, render AppendFunc) {
	defer close(b.done)
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
