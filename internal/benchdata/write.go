package benchdata

import (
	"io"
	"runtime"
	"strconv"
	"sync"
)

// jobBytes is the smallest output chunk worth handing to a worker.
const jobBytes = 256 << 10

// AppendRows appends the rows of key k that c selects, as add input lines,
// to dst and returns the extended buffer.
func AppendRows(dst []byte, c Config, k int) []byte {
	c = c.withDefaults()
	lo, hi := c.SampleRange()
	key := appendKey(make([]byte, 0, 32), k, c.Keys)
	w := newWalk(c, k)
	for s := range hi {
		if s > 0 {
			w.step()
		}
		if s < lo {
			continue
		}
		dst = append(dst, key...)
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, Timestamp(s), 10)
		dst = append(dst, ' ')
		dst = w.appendValue(dst)
		dst = append(dst, '\n')
	}
	return dst
}

// job is a run of keys [from, to) formatted by a worker into buf; done is
// closed when buf is ready.
type job struct {
	from, to int
	buf      []byte
	done     chan struct{}
}

// Write writes the rows that c selects to w, sorted by key then time. It
// formats keys on all cores and writes them in order, in chunks of a few
// hundred KiB, so w needs no buffering.
func Write(w io.Writer, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c = c.withDefaults()
	workers := runtime.GOMAXPROCS(0)
	lo, hi := c.SampleRange()
	keysPerJob := max(1, jobBytes/(64*max(1, hi-lo)))

	jobs := make(chan *job, 2*workers)
	order := make(chan *job, 2*workers)
	stop := make(chan struct{})
	go func() {
		defer close(order)
		defer close(jobs)
		for from := 0; from < c.Keys; from += keysPerJob {
			j := &job{from: from, to: min(c.Keys, from+keysPerJob), done: make(chan struct{})}
			select {
			case order <- j:
			case <-stop:
				return
			}
			jobs <- j // workers never wait for anything but jobs
		}
	}()
	pool := sync.Pool{New: func() any { return new([]byte) }}
	for range workers {
		go func() {
			for j := range jobs {
				buf := pool.Get().(*[]byte)
				j.buf = (*buf)[:0]
				for k := j.from; k < j.to; k++ {
					j.buf = AppendRows(j.buf, c, k)
				}
				close(j.done)
			}
		}()
	}
	var err error
	for j := range order {
		<-j.done
		if err == nil {
			_, err = w.Write(j.buf)
			if err != nil {
				close(stop)
			}
		}
		pool.Put(&j.buf)
	}
	return err
}
