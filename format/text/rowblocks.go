package text

import (
	"bytes"
	"errors"

	"github.com/chime-tsdb/chime/format"
)

// blockRows caps the rows of a block handed on.
const blockRows = 4096

// rowBlocks gathers the rows of a CSV or JSON input into blocks of one key
// and one format for write, keeping the input line of each row so that an
// order error found downstream names it.
type rowBlocks struct {
	lim   *format.Limits
	write func(*format.Block) error
	blk   format.Block
	lines []int // of the block's rows
}

// begin starts a row of key and format f at ts, first handing the block
// on when the row cannot join it. It returns the row's index: the caller
// appends the values to blk, then calls end, or Truncate(n) on an error.
func (r *rowBlocks) begin(key []byte, ts uint64, f format.Format) (int, error) {
	if r.blk.Len() > 0 && (r.blk.Format != f || !bytes.Equal(r.blk.Key, key) || r.blk.Len() >= blockRows) {
		if err := r.flush(); err != nil {
			return 0, err
		}
	}
	if r.blk.Len() == 0 {
		r.blk.Reset(key, f)
	}
	n := r.blk.Len()
	r.blk.Times = append(r.blk.Times, ts)
	return n, nil
}

// end checks the values of row n, from line, against the limits and keeps
// it, or drops it.
func (r *rowBlocks) end(line, n int) error {
	if err := r.lim.CheckValues(&r.blk, n); err != nil {
		r.blk.Truncate(n)
		return &CellError{Line: line, Err: err}
	}
	r.lines = append(r.lines, line)
	return nil
}

// flush hands the current block on; an order error gets its row's line.
func (r *rowBlocks) flush() error {
	if r.blk.Len() == 0 {
		return nil
	}
	err := r.write(&r.blk)
	var oe *format.OrderError
	if errors.As(err, &oe) {
		err = &CellError{Line: r.lines[oe.Row], Err: err}
	}
	r.blk.Truncate(0)
	r.lines = r.lines[:0]
	return err
}
