package text

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
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
	end    int  // ParseBytes: the offset of the end of data in the input
	pooled bool // data is a buffer of chunkBufs
	lines  int  // lines in data
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
	return parse(opts, write, nil, func(maxLine int, jobs, order chan<- *chunk, stop <-chan struct{}) error {
		return readChunks(r, maxLine, jobs, order, stop)
	})
}

// ParseBytes is Parse for input already in memory, typically a mapped
// file: its chunks are slices of data, so nothing is copied. released,
// if not nil, is called on write's goroutine with a growing n: the first n
// bytes of data are no longer read, and their memory may be given back.
//
// If reading data faults (a mapped file truncated under it), the parse
// fails with an error rather than crashing the process.
func ParseBytes(data []byte, opts Options, write func(*format.Block) error, released func(n int)) error {
	return parse(opts, write, released, func(maxLine int, jobs, order chan<- *chunk, stop <-chan struct{}) error {
		return cutChunks(data, maxLine, jobs, order, stop)
	})
}

// chunker produces the chunks of an input: each goes to order, in input
// order, and then to jobs to be parsed. It closes both when done.
type chunker func(maxLine int, jobs, order chan<- *chunk, stop <-chan struct{}) error

// parse runs the pipeline: the chunker, Workers parsers, and consume on
// the caller's goroutine.
func parse(opts Options, write func(*format.Block) error, released func(int), chunks chunker) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lim, err := opts.Limits.WithDefaults()
	if err != nil {
		return err
	}
	if !opts.FormatPerLine {
		if _, err := format.ParseFormat(string(opts.Format)); err != nil {
			return err
		}
	}
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	stop := make(chan struct{})
	chunkErr := make(chan error, 1)
	go func() { chunkErr <- chunks(lim.MaxLineLen, jobs, order, stop) }()
	for range workers {
		go func() {
			debug.SetPanicOnFault(true) // see ParseBytes
			p := &LineParser{Format: opts.Format, ParseTime: opts.ParseTime}
			var byKey *keyBlocks // kept from chunk to chunk, its map grown once
			if opts.Unsorted {
				byKey = &keyBlocks{m: map[string]int{}}
			}
			for c := range jobs {
				c.parse(p, opts.FormatPerLine, byKey, &lim)
			}
		}()
	}
	err = consume(order, opts.Unsorted, write, released)
	close(stop)
	for range order {
	}
	if cerr := <-chunkErr; err == nil {
		err = cerr
	}
	return err
}

// consume writes parsed chunks in input order, checking the order of rows
// across chunk boundaries unless unsorted.
func consume(order <-chan *chunk, unsorted bool, write func(*format.Block) error, released func(int)) error {
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
		end := c.end
		c.release()
		if released != nil && end > 0 {
			released(end)
		}
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
// Each chunk is filled whole before it goes: a pipe's reads return 64 KiB
// at most, and small chunks cost per-chunk work and, for unsorted input,
// split each key's rows into many more blocks (nothing reads the rows
// before the input ends, so waiting for a full chunk delays nothing).
func readChunks(r io.Reader, maxLine int, jobs, order chan<- *chunk, stop <-chan struct{}) error {
	defer close(order)
	defer close(jobs)
	var carry []byte
	for {
		buf := newChunkBuf(len(carry))
		copy(buf, carry)
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("read input: %w", err)
		}
		cut := bytes.LastIndexByte(buf, '\n') + 1
		if eof && len(buf)-cut <= maxLine+1 {
			cut = len(buf) // the last line, unterminated
		}
		// A last line too long stays carried, to be refused below once it
		// starts a buffer, so that the error names it.
		if cut == 0 && len(buf) > maxLine+1 { // +1: a '\r' before the '\n' to come
			sendError(order, stop, tooLong(buf, maxLine))
			return nil
		}
		carry = buf[cut:]
		if cut > 0 {
			c := &chunk{data: buf[:cut], pooled: true, done: make(chan struct{})}
			select {
			case order <- c:
			case <-stop:
				return nil
			}
			jobs <- c
		}
		if eof && len(carry) == 0 {
			return nil
		}
	}
}

// tooLong is the error of a line starting at the start of buf that is
// longer than maxLine.
func tooLong(buf []byte, maxLine int) *LineError {
	return &LineError{1, fmt.Errorf("%w: the line starting %s is longer than the limit of %d bytes", format.ErrLimit, format.Quote(buf), maxLine)}
}

// sendError ends the input with a chunk that holds only err (its line is
// relative to the lines sent before).
func sendError(order chan<- *chunk, stop <-chan struct{}, err *LineError) {
	c := &chunk{err: err, done: make(chan struct{})}
	close(c.done)
	select {
	case order <- c:
	case <-stop:
	}
}

// cutChunks is readChunks for input in memory: chunks of about chunkSize
// bytes of whole lines, sliced from data without copying. A fault while
// reading data (a mapped file truncated under it) ends the input with an
// error.
func cutChunks(data []byte, maxLine int, jobs, order chan<- *chunk, stop <-chan struct{}) (err error) {
	defer close(order)
	defer close(jobs)
	debug.SetPanicOnFault(true)
	defer func() {
		if r := recover(); r != nil {
			if !isFault(r) {
				panic(r)
			}
			err = errInputFault
		}
	}()
	for off := 0; off < len(data); {
		cut, ok := nextCut(data[off:], maxLine)
		if !ok {
			sendError(order, stop, tooLong(data[off:], maxLine))
			return nil
		}
		off += cut
		c := &chunk{data: data[off-cut : off], end: off, done: make(chan struct{})}
		select {
		case order <- c:
		case <-stop:
			return nil
		}
		jobs <- c
	}
	return nil
}

// nextCut returns the length of the next chunk of rest, cut as readChunks
// cuts its buffers: after the last newline within chunkSize bytes, or
// after the first line when that is longer. It reports false when the
// first line is longer than readChunks would buffer (maxLine+1 bytes).
func nextCut(rest []byte, maxLine int) (int, bool) {
	if len(rest) <= chunkSize {
		return len(rest), true
	}
	if cut := bytes.LastIndexByte(rest[:chunkSize], '\n') + 1; cut > 0 {
		return cut, true
	}
	n := bytes.IndexByte(rest, '\n')
	if n < 0 {
		n = len(rest)
	}
	if n > maxLine+1 {
		return 0, false
	}
	return min(n+1, len(rest)), true
}

// errInputFault is the error of input memory that faulted: a mapped input
// file truncated while it was read.
var errInputFault = errors.New("read input: the input file changed (was it truncated?) while it was read")

// isFault reports whether r, a recovered panic value, is a memory fault
// that debug.SetPanicOnFault turned into a panic.
func isFault(r any) bool {
	_, ok := r.(interface{ Addr() uintptr })
	return ok
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
	if c.pooled {
		buf := c.data[:0]
		chunkBufs.Put(&buf)
	}
	for _, b := range c.blocks {
		blockPool.Put(b)
	}
	c.data, c.blocks = nil, nil
}
