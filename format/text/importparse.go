package text

import (
	"bytes"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// parse turns the chunk's lines into blocks, one per run of a key,
// checking the order of rows within the chunk. Line numbers in c.err and
// c.first/c.last are relative to the chunk until consume fixes them. A
// memory fault while reading the chunk (see ParseBytes) is an error of
// the line being read. Unsorted input (byKey not nil) is gathered by key
// instead of checked.
func (c *chunk) parse(p *LineParser, perLine bool, byKey *keyBlocks, lim *format.Limits) {
	defer close(c.done)
	defer func() {
		if r := recover(); r != nil {
			if !isFault(r) {
				panic(r)
			}
			c.err, c.unsorted = &LineError{max(c.lines, 1), errInputFault}, [2]rowPos{}
		}
	}()
	c.parseLines(p, perLine, byKey, lim)
}

// parseLines is parse without the fault handling.
func (c *chunk) parseLines(p *LineParser, perLine bool, byKey *keyBlocks, lim *format.Limits) {
	var cur, prevBlock *format.Block
	var prev rowPos
	checkValues := perLine || hasVariable(p.Format) // only s and B values have lengths to check
	if byKey != nil {
		byKey.reset()
		defer byKey.sort(c)
	}
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
		if byKey != nil {
			cur = byKey.find(key)
		}
		was := cur
		cur, err = appendLine(p, perLine, c, cur, key, rest)
		if byKey != nil && cur != was {
			byKey.add(cur)
		}
		if err == nil && checkValues {
			err = lim.CheckValues(cur, cur.Len()-1)
		}
		if err != nil {
			c.err = &LineError{c.lines, err}
			return
		}
		if byKey != nil {
			continue
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

// keyBlocks gathers the rows of unsorted input by key within a chunk: a
// log ordered by time would otherwise make a block per line. A key keeps
// one block while its format stays the same; the blocks of one key stay
// in input order, so that of two rows with the same key and time the
// later still comes later.
//
// A log cycles through its keys in much the same order again and again,
// so the block after the last one used, in the order the keys first came,
// is tried before the map.
type keyBlocks struct {
	m     map[string]int  // key -> its current block, an index in order
	order []*format.Block // the current block of each key, in order of first use
	last  int             // the index of the block of the last line
}

// reset readies k for a chunk, keeping its memory.
func (k *keyBlocks) reset() {
	clear(k.m)
	clear(k.order) // the blocks belong to the chunk
	k.order, k.last = k.order[:0], -1
}

// find returns the current block of key, or nil.
func (k *keyBlocks) find(key []byte) *format.Block {
	if next := k.last + 1; next < len(k.order) && bytes.Equal(k.order[next].Key, key) {
		k.last = next
		return k.order[next]
	}
	if len(k.order) > 0 && bytes.Equal(k.order[0].Key, key) {
		k.last = 0
		return k.order[0]
	}
	i, ok := k.m[string(key)]
	if !ok {
		return nil
	}
	k.last = i
	return k.order[i]
}

// add makes b its key's current block.
func (k *keyBlocks) add(b *format.Block) {
	i, ok := k.m[string(b.Key)]
	if !ok {
		i = len(k.order)
		k.m[string(b.Key)] = i
		k.order = append(k.order, b)
	}
	k.order[i], k.last = b, i
}

// sort orders the chunk's blocks by key, stably.
func (k *keyBlocks) sort(c *chunk) {
	slices.SortStableFunc(c.blocks, func(a, b *format.Block) int { return bytes.Compare(a.Key, b.Key) })
}
