package text

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/chime-tsdb/chime/format"
)

// Options describe text rows `KEY TIMESTAMP VALUE...` for AddText.
type Options struct {
	// Format is the format of every row, unless FormatPerLine.
	Format format.Format
	// FormatPerLine reads lines `KEY TIMESTAMP FORMAT VALUE...` whose
	// format is their own (compact --gegnum output).
	FormatPerLine bool
	// ParseTime converts timestamp tokens; nil reads integer nanoseconds.
	ParseTime func([]byte) (uint64, error)
	// Workers parse in parallel; 0 means one per CPU.
	Workers int
	// Limits bound keys, lines and values. Zero fields mean the
	// database's limits in AddText, the defaults in ParseText.
	Limits format.Limits
	// Unsorted accepts rows in any order: Parse does not check it, and
	// AddText sorts them (see tsdb/extsort).
	Unsorted bool
}

// LineError is an input error on one line.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrUnsorted is wrapped by the errors of input rows out of (key, time)
// order.
var ErrUnsorted = format.ErrUnsorted

// chunk is a run of whole lines and, once parsed, their rows.
type chunk struct {
	data   []byte
	lines  int // lines in data
	blocks []*format.Block
	first  rowPos // first and last row, for order checks across chunks
	last   rowPos
	err    *LineError // relative line number
	// unsorted holds the two rows of an order violation inside the chunk
	// (relative lines), when err is set by one.
	unsorted [2]rowPos
	done     chan struct{}
}

// rowPos is a row's place in the input, for order checks and messages.
type rowPos struct {
	key  []byte
	ts   uint64
	line int
}

// Parse parses text rows from r and passes them to write as blocks,
// in input order, checking that keys and times are sorted. Parsing runs on
// Workers goroutines; write runs on the caller's. Errors name the line.
func Parse(r io.Reader, opts Options, write func(*format.Block) error) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lim, err := opts.Limits.WithDefaults()
	if err != nil {
		return err
	}
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() { readErr <- readChunks(r, lim.MaxLineLen, jobs, order, stop) }()
	for range workers {
		go func() {
			p := &LineParser{Format: opts.Format, ParseTime: opts.ParseTime}
			for c := range jobs {
				c.parse(p, opts.FormatPerLine, opts.Unsorted, &lim)
			}
		}()
	}
	err = consume(order, opts.Unsorted, write)
	close(stop)
	for range order {
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	return err
}

// consume writes parsed chunks in input order, checking the order of rows
// across chunk boundaries unless unsorted.
func consume(order <-chan *chunk, unsorted bool, write func(*format.Block) error) error {
	line := 0
	var prev rowPos
	for c := range order {
		<-c.done
		if c.err != nil {
			if u := c.unsorted; u[1].line > 0 {
				u[0].line += line
				u[1].line += line
				return checkOrder(&u[0], &u[1])
			}
			c.err.Line += line
			return c.err
		}
		if len(c.blocks) > 0 && !unsorted {
			first := c.first
			first.line += line
			if err := checkOrder(&prev, &first); err != nil {
				return err
			}
			prev = rowPos{key: append(prev.key[:0], c.last.key...), ts: c.last.ts, line: c.last.line + line}
		}
		for _, b := range c.blocks {
			if err := write(b); err != nil {
				return err
			}
		}
		line += c.lines
		c.release()
	}
	return nil
}

// checkOrder verifies that row cur may follow row prev (prev.line 0: no
// previous row).
func checkOrder(prev, cur *rowPos) error {
	if prev.line == 0 {
		return nil
	}
	switch c := bytes.Compare(prev.key, cur.key); {
	case c > 0:
		return &LineError{cur.line, fmt.Errorf("%w: key %q comes after key %q of line %d", ErrUnsorted, cur.key, prev.key, prev.line)}
	case c == 0 && cur.ts <= prev.ts:
		return &LineError{cur.line, fmt.Errorf("%w: key %q: timestamp %d is not after timestamp %d of line %d", ErrUnsorted, cur.key, cur.ts, prev.ts, prev.line)}
	}
	return nil
}

const chunkSize = 1 << 20

// readChunks cuts r into chunks of whole lines and hands each to a parser
// and, in the same order, to the consumer. A line longer than maxLine
// ends the input with an error chunk, so that the error names its line.
func readChunks(r io.Reader, maxLine int, jobs, order chan<- *chunk, stop <-chan struct{}) error {
	defer close(order)
	defer close(jobs)
	var carry []byte
	for {
		buf := newChunkBuf(len(carry))
		copy(buf, carry)
		n, err := io.ReadAtLeast(r, buf[len(buf):cap(buf)], 1)
		buf = buf[:len(buf)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("read input: %w", err)
		}
		cut := bytes.LastIndexByte(buf, '\n') + 1
		if eof {
			cut = len(buf)
		}
		if cut == 0 && len(buf) > maxLine+1 { // +1: a '\r' before the '\n' to come
			err := fmt.Errorf("%w: the line starting %s is longer than the limit of %d bytes", format.ErrLimit, format.Quote(buf), maxLine)
			c := &chunk{err: &LineError{1, err}, done: make(chan struct{})}
			close(c.done)
			select {
			case order <- c:
			case <-stop:
			}
			return nil
		}
		carry = buf[cut:]
		if cut > 0 {
			c := &chunk{data: buf[:cut], done: make(chan struct{})}
			select {
			case order <- c:
			case <-stop:
				return nil
			}
			jobs <- c
		}
		if eof {
			return nil
		}
	}
}

// Chunk buffers and parsed blocks are recycled: allocating (and zeroing)
// fresh ones for every megabyte of input cost a fifth of the parse time.
var (
	chunkBufs = sync.Pool{New: func() any { return new([]byte) }}
	blockPool = sync.Pool{New: func() any { return new(format.Block) }}
)

// newChunkBuf returns a buffer of length n with room for a chunk more.
func newChunkBuf(n int) []byte {
	buf := *chunkBufs.Get().(*[]byte)
	if want := max(chunkSize, 2*n); cap(buf) < want {
		buf = make([]byte, 0, want)
	}
	return buf[:n]
}

// release recycles the chunk's memory once its blocks are written.
func (c *chunk) release() {
	buf := c.data[:0]
	chunkBufs.Put(&buf)
	for _, b := range c.blocks {
		blockPool.Put(b)
	}
	c.data, c.blocks = nil, nil
}
