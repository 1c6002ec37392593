package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb/extsort"
)

// A PUT body is lines `KEY NANOS FORMAT VALUES...` in any order. It is
// read as it arrives, line by line, into an external sort (tsdb/extsort):
// memory is bounded by the sort's budget however large the body, runs
// spill to temporary files. A bad line anywhere rejects the request with
// nothing published; the rows are then merged in (key, timestamp) order
// and written in blocks of one key and one format, and a (key, timestamp)
// given twice rejects the request too.

// bodyOptions say how to parse a body.
type bodyOptions struct {
	// MaxLine bounds a line's length (413 beyond).
	MaxLine int
	// ParseTime converts the timestamp tokens; nil reads nanoseconds.
	ParseTime func([]byte) (uint64, error)
	// SortMemory and SortDir are the sort's memory budget and where it
	// spills (see extsort.Options).
	SortMemory int64
	SortDir    string
}

// batch is a parsed PUT body, sorted once written.
type batch struct {
	sorter *extsort.Sorter
	rows   int
}

// parseBody reads and parses every line of body. The first bad line in
// input order fails the whole body, with an error naming its number and
// text. The batch must be closed.
func parseBody(body io.Reader, o bodyOptions) (*batch, error) {
	b := &batch{sorter: extsort.New(extsort.Options{Memory: o.SortMemory, Dir: o.SortDir, RejectDuplicates: true})}
	p := &text.LineParser{ParseTime: o.ParseTime}
	br := bufio.NewReaderSize(body, 64<<10)
	var blk format.Block
	var long []byte
	for line := 1; ; line++ {
		t, err := readLine(br, &long, o.MaxLine)
		if err == errLongLine {
			b.Close()
			return nil, errorf(http.StatusRequestEntityTooLarge, "line %d is longer than %d bytes", line, o.MaxLine)
		}
		if err != nil && err != io.EOF {
			b.Close()
			return nil, bodyError(err)
		}
		if perr := b.parseLine(p, &blk, t, line); perr != nil {
			b.Close()
			return nil, lineError(line, t, perr)
		}
		if err == io.EOF {
			return b, nil
		}
	}
}

var errLongLine = errors.New("line too long")

// readLine returns the next line without its '\n' (valid until the next
// call), or io.EOF with the last one.
func readLine(br *bufio.Reader, long *[]byte, max int) ([]byte, error) {
	t, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		*long = append((*long)[:0], t...)
		for err == bufio.ErrBufferFull {
			if max > 0 && len(*long) > max+1 {
				return nil, errLongLine
			}
			t, err = br.ReadSlice('\n')
			*long = append(*long, t...)
		}
		t = *long
	}
	t = bytes.TrimSuffix(t, []byte{'\n'})
	if max > 0 && len(bytes.TrimSuffix(t, []byte{'\r'})) > max {
		return nil, errLongLine
	}
	return t, err
}

// bodyError reports a failure to read the body: over the limit (413), or
// the client went away.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return badRequest("read request body: %v", err)
}

// parseLine adds the row of one line (nothing for a blank line).
func (b *batch) parseLine(p *text.LineParser, blk *format.Block, t []byte, line int) error {
	key, rest, err := p.Key(t)
	if err != nil || key == nil {
		return err
	}
	ts, f, values, err := p.TimeAndFormat(rest)
	if err != nil {
		return err
	}
	blk.Reset(key, f)
	if err := p.AppendValues(blk, ts, values); err != nil {
		return err
	}
	b.rows++
	return b.sorter.Add(blk, []uint64{uint64(line)})
}

// writeBlocks passes the rows to emit in (key, timestamp) order, in
// blocks of one key and one format; emit must copy what it keeps, as
// tsdb.Tx.Write does. A (key, timestamp) given twice is an error naming
// the two lines (of several, the one whose second line comes first), once
// every row has gone to emit: the caller rolls back.
func (b *batch) writeBlocks(emit func(*format.Block) error) error {
	err := b.sorter.Sort(emit)
	var de *extsort.DuplicateError
	if errors.As(err, &de) {
		return badRequest("line %d: key %s at timestamp %d repeats line %d", de.Second, strconv.Quote(string(de.Key)), de.TS, de.First)
	}
	return err
}

// Close removes the batch's spill files.
func (b *batch) Close() error { return b.sorter.Close() }

// lineError names the line of a body that err is about, with its text.
func lineError(line int, text []byte, err error) error {
	const limit = 80
	quoted := string(text)
	if len(quoted) > limit {
		quoted = quoted[:limit] + "..."
	}
	return badRequest("line %d %s: %v", line, strconv.Quote(quoted), err)
}
