package server

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/format/text"
)

// A PUT body is lines `KEY NANOS FORMAT VALUES...` in any order. It is
// parsed whole before anything is written, so that a bad line anywhere
// rejects the request with nothing published; then its rows are sorted by
// (key, timestamp) and written in blocks of one key and one format.

// putRow is one parsed line, kept small (32 bytes) because a 64 MiB body
// may hold two million of them. Its values live in the store of its
// format, at row storeRow.
type putRow struct {
	ts       uint64
	keyOff   uint32 // the key is batch.keys[keyOff : keyOff+keyLen]
	keyLen   uint32
	storeRow uint32
	line     uint32 // 1-based line number
	format   uint16 // index in batch.stores
}

// batch is a parsed PUT body.
type batch struct {
	keys   []byte          // every distinct run of a key, unescaped
	stores []*format.Block // the values of each format, in input order
	rows   []putRow
}

// bodyOptions say how to parse a body.
type bodyOptions struct {
	// MaxLine bounds a line's length (413 beyond).
	MaxLine int
	// ParseTime converts the timestamp tokens; nil reads nanoseconds.
	ParseTime func([]byte) (uint64, error)
}

// maxFormats bounds the distinct formats of one body (they index stores
// with 16 bits).
const maxFormats = 1 << 16

// parseBody parses every line of body and sorts the rows. The first bad
// line in input order fails the whole body, with an error naming its
// number and text; then a (key, timestamp) given twice does. The batch
// refers to nothing of body.
func parseBody(body []byte, o bodyOptions) (*batch, error) {
	b := &batch{}
	p := &text.LineParser{ParseTime: o.ParseTime}
	formats := map[format.Format]uint16{}
	for line, rest := 1, body; len(rest) > 0; line++ {
		text := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			text, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if o.MaxLine > 0 && len(text) > o.MaxLine {
			return nil, errorf(http.StatusRequestEntityTooLarge, "line %d is longer than %d bytes", line, o.MaxLine)
		}
		if err := b.parseLine(p, formats, text, line); err != nil {
			return nil, lineError(line, text, err)
		}
	}
	return b, b.sort(body)
}

// parseLine appends the row of one line (nothing for a blank line).
func (b *batch) parseLine(p *text.LineParser, formats map[format.Format]uint16, text []byte, line int) error {
	key, rest, err := p.Key(text)
	if err != nil || key == nil {
		return err
	}
	ts, f, values, err := p.TimeAndFormat(rest)
	if err != nil {
		return err
	}
	fi, ok := formats[f]
	if !ok {
		if len(b.stores) == maxFormats {
			return fmt.Errorf("more than %d different formats in one request", maxFormats)
		}
		fi = uint16(len(b.stores))
		formats[f] = fi
		store := &format.Block{}
		store.Reset(nil, f)
		b.stores = append(b.stores, store)
	}
	store := b.stores[fi]
	if err := p.AppendValues(store, ts, values); err != nil {
		return err
	}
	off, n := b.addKey(key)
	b.rows = append(b.rows, putRow{ts: ts, keyOff: off, keyLen: n, storeRow: uint32(store.Len() - 1), line: uint32(line), format: fi})
	return nil
}

// addKey stores key, once for a run of lines with the same key.
func (b *batch) addKey(key []byte) (off, n uint32) {
	if k := len(b.rows); k > 0 {
		if last := b.rows[k-1]; bytes.Equal(b.key(last), key) {
			return last.keyOff, last.keyLen
		}
	}
	off = uint32(len(b.keys))
	b.keys = append(b.keys, key...)
	return off, uint32(len(key))
}

func (b *batch) key(r putRow) []byte { return b.keys[r.keyOff : r.keyOff+r.keyLen] }

func (b *batch) compare(x, y putRow) int {
	if c := bytes.Compare(b.key(x), b.key(y)); c != 0 {
		return c
	}
	return cmp.Compare(x.ts, y.ts)
}

// order is compare, then input order: repeats of a (key, timestamp) sort
// by line, so that the first repeat in the body is between neighbours.
func (b *batch) order(x, y putRow) int {
	if c := b.compare(x, y); c != 0 {
		return c
	}
	return cmp.Compare(x.line, y.line)
}

// sort orders the rows by (key, timestamp), which most bodies already
// are, and refuses a (key, timestamp) given twice: which of two rows a PUT
// meant is anyone's guess. Of several repeats, the one found first in the
// body is reported. body is only read for the error's line text.
func (b *batch) sort(body []byte) error {
	if !slices.IsSortedFunc(b.rows, b.order) {
		slices.SortFunc(b.rows, b.order)
	}
	var first, second putRow // the repeat found first: second.line is least
	for i := 1; i < len(b.rows); i++ {
		x, y := b.rows[i-1], b.rows[i]
		if b.compare(x, y) != 0 {
			continue
		}
		if second.line == 0 || y.line < second.line {
			first, second = x, y
		}
	}
	if second.line == 0 {
		return nil
	}
	return lineError(int(second.line), lineText(body, int(second.line)),
		fmt.Errorf("key %s at timestamp %d repeats line %d", strconv.Quote(string(b.key(second))), second.ts, first.line))
}

// writeBlocks passes the sorted rows to emit in blocks of one key and one
// format (a key may change format from one row to the next). The block
// is reused from call to call: emit must copy what it keeps, as
// tsdb.Tx.Write does.
func (b *batch) writeBlocks(emit func(*format.Block) error) error {
	var blk format.Block
	for i, r := range b.rows {
		if i == 0 || b.startsBlock(b.rows[i-1], r) || blk.Len() >= segment.BlockRows {
			if i > 0 {
				if err := emit(&blk); err != nil {
					return err
				}
			}
			blk.Reset(b.key(r), b.stores[r.format].Format)
		}
		blk.AppendRows(b.stores[r.format], int(r.storeRow), int(r.storeRow)+1)
	}
	if blk.Len() == 0 {
		return nil
	}
	return emit(&blk)
}

// startsBlock reports whether row r, following prev, has another key or
// format. Rows of one run of lines share their key's storage, so equal
// offsets settle most comparisons.
func (b *batch) startsBlock(prev, r putRow) bool {
	return prev.format != r.format || prev.keyOff != r.keyOff && !bytes.Equal(b.key(prev), b.key(r))
}

// lineError names the line of a body that err is about, with its text.
func lineError(line int, text []byte, err error) error {
	const limit = 80
	quoted := string(text)
	if len(quoted) > limit {
		quoted = quoted[:limit] + "..."
	}
	return badRequest("line %d %s: %v", line, strconv.Quote(quoted), err)
}

// lineText returns line n (1-based) of body, for error messages.
func lineText(body []byte, n int) []byte {
	for ; n > 1; n-- {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			return nil
		}
		body = body[i+1:]
	}
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		body = body[:i]
	}
	return bytes.TrimRight(body, "\r")
}
