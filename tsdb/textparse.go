package tsdb

import (
	"bytes"

	"github.com/chime-tsdb/chime/format"
)

// parse turns the chunk's lines into blocks, one per run of a key,
// checking the order of rows within the chunk. Line numbers in c.err and
// c.first/c.last are relative to the chunk until consume fixes them.
func (c *chunk) parse(p *format.LineParser) {
	defer close(c.done)
	var cur *format.Block
	var prev rowPos
	data := c.data
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		c.lines++
		key, rest, err := p.Key(line)
		if err != nil {
			c.err = &LineError{c.lines, err}
			return
		}
		if key == nil {
			continue
		}
		if cur == nil || !bytes.Equal(cur.Key, key) {
			cur = &format.Block{}
			cur.Reset(key, p.Format)
			c.blocks = append(c.blocks, cur)
		}
		if err := p.AppendRow(cur, rest); err != nil {
			c.err = &LineError{c.lines, err}
			return
		}
		row := rowPos{key: cur.Key, ts: cur.Times[cur.Len()-1], line: c.lines}
		if prev.line == 0 {
			c.first = row
		} else if checkOrder(&prev, &row) != nil {
			c.unsorted = [2]rowPos{prev, row}
			c.err = &LineError{}
			return
		}
		prev = row
	}
	c.last = prev
}
