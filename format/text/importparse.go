package text

import (
	"bytes"

	"github.com/chime-tsdb/chime/format"
)

// parse turns the chunk's lines into blocks, one per run of a key,
// checking the order of rows within the chunk. Line numbers in c.err and
// c.first/c.last are relative to the chunk until consume fixes them. A
// memory fault while reading the chunk (see ParseBytes) is an error of
// the line being read.
func (c *chunk) parse(p *LineParser, perLine bool, lim *format.Limits) {
	defer close(c.done)
	defer func() {
		if r := recover(); r != nil {
			if !isFault(r) {
				panic(r)
			}
			c.err, c.unsorted = &LineError{max(c.lines, 1), errInputFault}, [2]rowPos{}
		}
	}()
	c.parseLines(p, perLine, lim)
}

// parseLines is parse without the fault handling.
func (c *chunk) parseLines(p *LineParser, perLine bool, lim *format.Limits) {
	var cur, prevBlock *format.Block
	var prev rowPos
	checkValues := perLine || hasVariable(p.Format) // only s and B values have lengths to check
	data := c.data
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		c.lines++
		if err := lim.CheckLine(line); err != nil {
			c.err = &LineError{c.lines, err}
			return
		}
		key, rest, err := p.Key(line)
		if err == nil && key != nil {
			err = lim.CheckKey(key)
		}
		if err != nil {
			c.err = &LineError{c.lines, err}
			return
		}
		if key == nil {
			continue
		}
		cur, err = appendLine(p, perLine, c, cur, key, rest)
		if err == nil && checkValues {
			err = lim.CheckValues(cur, cur.Len()-1)
		}
		if err != nil {
			c.err = &LineError{c.lines, err}
			return
		}
		row := rowPos{key: cur.Key, ts: cur.Times[cur.Len()-1], line: c.lines}
		// A row of the previous row's block has its key: only its time
		// need be checked, and a full check finds what is wrong.
		if prev.line == 0 {
			c.first = row
		} else if (cur != prevBlock || row.ts <= prev.ts) && checkOrder(&prev, &row) != nil {
			c.unsorted = [2]rowPos{prev, row}
			c.err = &LineError{}
			return
		}
		prev, prevBlock = row, cur
	}
	c.last = prev
}

// appendLine parses the rest of a line onto cur, or onto a new block of
// the chunk when the key or the format changes, and returns the block.
func appendLine(p *LineParser, perLine bool, c *chunk, cur *format.Block, key, rest []byte) (*format.Block, error) {
	f := p.Format
	var ts uint64
	if perLine {
		var err error
		if ts, f, rest, err = p.TimeAndFormat(rest); err != nil {
			return cur, err
		}
	}
	if cur == nil || cur.Format != f || !bytes.Equal(cur.Key, key) {
		cur = blockPool.Get().(*format.Block)
		cur.Reset(key, f)
		c.blocks = append(c.blocks, cur)
	}
	if perLine {
		return cur, p.AppendValues(cur, ts, rest)
	}
	return cur, p.AppendRow(cur, rest)
}

// hasVariable reports whether f has an s or B column.
func hasVariable(f format.Format) bool {
	for i := range f.Len() {
		if f.Code(i).Variable() {
			return true
		}
	}
	return false
}
