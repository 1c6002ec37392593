package text

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// CSVOptions describe a CSV file for ParseCSV: chime's own (the header
// `key,ts,time,v1,...,vN` that read -o csv writes) or one as people have
// it. The zero value reads chime's own, given Format.
type CSVOptions struct {
	// Format types the value columns: one code per column, or one code
	// for all of them.
	Format format.Format
	// KeyColumn names the column of keys; "" means "key".
	KeyColumn string
	// Key is the key of every row, for a file of one series without a key
	// column. It excludes KeyColumn and SplitPrefix.
	Key []byte
	// TimeColumn names the column of times; "" means "ts" when the header
	// has it, else "time".
	TimeColumn string
	// ValueColumns names the value columns, in row order; nil means every
	// other column, in file order (but not chime's time when the time is
	// its ts, nor its ts when the time is its time).
	ValueColumns []string
	// SplitPrefix, when not "", makes each value column its own series,
	// keyed PREFIX.COLUMN: a wide table of a time and several measures.
	// An empty cell is then no row for that series.
	SplitPrefix string
	// ParseTime converts the time cells; nil reads integer nanoseconds or
	// RFC 3339 (timefmt.ParseInput).
	ParseTime func([]byte) (uint64, error)
	// Limits bound keys, lines and values; zero fields mean the defaults.
	Limits format.Limits
}

// CellError is an input error in one cell of a CSV file, or one field of
// a JSON line (Column "" for the whole line).
type CellError struct {
	Line   int
	Column string
	Err    error
}

func (e *CellError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, column %s: %v", e.Line, e.Column, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }

// ParseCSV reads a CSV file (RFC 4180: commas, double quotes, quoted cells
// may hold commas, quotes and line breaks; LF or CRLF) whose first record
// is a header, and passes its rows to write in file order as blocks of one
// key and one format. A row's format is Format's codes up to its last
// non-empty cell: trailing empty cells make a narrower row, as read -o csv
// writes rows narrower than its header; "" (quoted) is an empty string, a
// value, as read -o csv writes one. An empty cell before a value, or a row
// without values, is an error. Errors name the line and the column; an
// order error returned by write gets the line of its row.
func ParseCSV(r io.Reader, o CSVOptions, write func(*format.Block) error) error {
	lim, err := o.Limits.WithDefaults()
	if err != nil {
		return err
	}
	cr := &csvReader{r: bufio.NewReaderSize(r, 1<<20), max: lim.MaxLineLen}
	header, err := cr.record()
	if err == io.EOF {
		return nil // no header: no rows
	}
	if err != nil {
		return err
	}
	p, err := planCSV(header, &o)
	if err != nil {
		return &CellError{Line: 1, Err: err}
	}
	p.lim, p.write = &lim, write
	for {
		rec, err := cr.record()
		if err == io.EOF {
			return p.flush()
		}
		if err != nil {
			return err
		}
		if err := p.row(cr.line, rec); err != nil {
			return err
		}
	}
}

// csvReader splits a CSV stream into records of cells.
type csvReader struct {
	r      *bufio.Reader
	max    int
	line   int // the line the last record started on
	next   int // the line the next record starts on
	buf    []byte
	cells  []csvCell
	recBuf []byte
}

// csvCell is one cell: its bytes (quotes undone) and whether it was
// quoted, which tells "" (an empty string) from nothing (no value).
type csvCell struct {
	b      []byte
	quoted bool
}

// record reads the next record, skipping blank lines. The cells are
// valid until the next call.
func (c *csvReader) record() ([]csvCell, error) {
	for {
		c.line = c.next + 1
		raw, err := c.readRecord()
		if err != nil {
			return nil, err
		}
		if len(raw) == 0 {
			continue
		}
		return c.split(raw)
	}
}

// readRecord reads lines until the quotes balance.
func (c *csvReader) readRecord() ([]byte, error) {
	c.recBuf = c.recBuf[:0]
	quotes := 0
	for {
		line, err := c.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			err = nil
		} else if len(line) > 0 || err == nil {
			c.next++
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read input: %w", err)
		}
		c.recBuf = append(c.recBuf, line...)
		quotes += bytes.Count(line, []byte{'"'})
		if len(c.recBuf) > c.max+2 {
			return nil, &CellError{Line: c.line, Err: fmt.Errorf("%w: the record starting %s is longer than the limit of %d bytes", format.ErrLimit, format.Quote(c.recBuf), c.max)}
		}
		ended := len(line) > 0 && line[len(line)-1] == '\n'
		if err == io.EOF && len(c.recBuf) == 0 {
			return nil, io.EOF
		}
		if err == io.EOF && quotes%2 == 1 {
			return nil, &CellError{Line: c.line, Err: errors.New("a quoted cell is not closed before the end of the input")}
		}
		if err == io.EOF || ended && quotes%2 == 0 {
			return bytes.TrimRight(c.recBuf, "\r\n"), nil
		}
	}
}

// split cuts a record into cells, undoing quotes.
func (c *csvReader) split(rec []byte) ([]csvCell, error) {
	c.cells = c.cells[:0]
	c.buf = c.buf[:0]
	for {
		var cell csvCell
		if len(rec) > 0 && rec[0] == '"' {
			start := len(c.buf)
			i := 1
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return nil, &CellError{Line: c.line, Err: errors.New("a quoted cell is not closed")}
				}
				c.buf = append(c.buf, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					c.buf = append(c.buf, '"')
					i++
					continue
				}
				break
			}
			cell = csvCell{b: c.buf[start:len(c.buf):len(c.buf)], quoted: true}
			rec = rec[i:]
			if len(rec) > 0 && rec[0] != ',' {
				return nil, &CellError{Line: c.line, Err: fmt.Errorf("text %s after a quoted cell", format.Quote(rec))}
			}
		} else {
			end := bytes.IndexByte(rec, ',')
			if end < 0 {
				end = len(rec)
			}
			if bytes.IndexByte(rec[:end], '"') >= 0 {
				return nil, &CellError{Line: c.line, Err: fmt.Errorf("a quote inside the unquoted cell %s", format.Quote(rec[:end]))}
			}
			cell = csvCell{b: rec[:end]}
			rec = rec[end:]
		}
		c.cells = append(c.cells, cell)
		if len(rec) == 0 {
			return c.cells, nil
		}
		rec = rec[1:] // the comma
	}
}

// csvPlan maps the columns of a file to keys, times and values.
type csvPlan struct {
	names  []string
	key    int // -1: a fixed key
	fixed  []byte
	time   int
	values []int
	format format.Format // one code per value column
	split  [][]byte      // the keys of the value columns, with SplitPrefix
	parse  func([]byte) (uint64, error)
	buf    []byte
	rowBlocks
}

// planCSV reads the header.
func planCSV(header []csvCell, o *CSVOptions) (*csvPlan, error) {
	p := &csvPlan{key: -1, fixed: o.Key, parse: o.ParseTime}
	if p.parse == nil {
		p.parse = timefmt.ParseInput
	}
	byName := map[string]int{}
	for i, c := range header {
		name := string(c.b)
		if _, dup := byName[name]; dup {
			return nil, fmt.Errorf("the header names column %q twice", name)
		}
		byName[name] = i
		p.names = append(p.names, name)
	}
	find := func(name, what string) (int, error) {
		if i, ok := byName[name]; ok {
			return i, nil
		}
		return 0, fmt.Errorf("no %s column %q in the header (%s)", what, name, strings.Join(p.names, ","))
	}
	used := map[int]bool{}
	var err error
	if o.Key == nil && o.SplitPrefix == "" {
		if p.key, err = find(cmp.Or(o.KeyColumn, "key"), "key"); err != nil {
			return nil, err
		}
		used[p.key] = true
	}
	timeName := o.TimeColumn
	if timeName == "" {
		timeName = "time"
		if _, ok := byName["ts"]; ok {
			timeName = "ts"
		}
	}
	if p.time, err = find(timeName, "time"); err != nil {
		return nil, err
	}
	used[p.time] = true
	if o.ValueColumns == nil && o.TimeColumn == "" {
		// chime's own header: the other of ts and time is the same instant.
		if i, ok := byName["time"]; ok && timeName == "ts" {
			used[i] = true
		}
	}
	return p, p.planValues(o, find, used)
}

// planValues picks and types the value columns.
func (p *csvPlan) planValues(o *CSVOptions, find func(string, string) (int, error), used map[int]bool) error {
	if o.ValueColumns == nil {
		for i := range p.names {
			if !used[i] {
				p.values = append(p.values, i)
			}
		}
	}
	for _, name := range o.ValueColumns {
		i, err := find(name, "value")
		if err != nil {
			return err
		}
		p.values = append(p.values, i)
	}
	n := len(p.values)
	switch {
	case n == 0:
		return nil // an error at the first row: an empty export reads as nothing
	case n > format.MaxFormatLen && o.SplitPrefix == "":
		return fmt.Errorf("%d value columns, at most %d", n, format.MaxFormatLen)
	case o.Format.Len() == 1:
		p.format = format.Format(strings.Repeat(string(o.Format), n))
	case o.Format.Len() == n:
		p.format = o.Format
	default:
		return fmt.Errorf("format %q has %d codes for %d value columns (%s): give one code per column, or one for all", o.Format, o.Format.Len(), n, p.valueNames())
	}
	if o.SplitPrefix != "" {
		for _, i := range p.values {
			p.split = append(p.split, []byte(o.SplitPrefix+"."+p.names[i]))
		}
	}
	return nil
}

func (p *csvPlan) valueNames() string {
	names := make([]string, len(p.values))
	for i, c := range p.values {
		names[i] = p.names[c]
	}
	return strings.Join(names, ",")
}

// row adds the row of one record.
func (p *csvPlan) row(line int, rec []csvCell) error {
	if len(p.values) == 0 {
		return &CellError{Line: 1, Err: fmt.Errorf("no value columns (the header has %s)", strings.Join(p.names, ","))}
	}
	if len(rec) != len(p.names) {
		return &CellError{Line: line, Err: fmt.Errorf("%d cells, the header has %d columns", len(rec), len(p.names))}
	}
	t := rec[p.time]
	if len(t.b) == 0 {
		return &CellError{Line: line, Column: p.names[p.time], Err: errors.New("empty time")}
	}
	ts, err := p.parse(t.b)
	if err != nil {
		return &CellError{Line: line, Column: p.names[p.time], Err: err}
	}
	if p.split != nil {
		return p.splitRow(line, ts, rec)
	}
	key := p.fixed
	if p.key >= 0 {
		key = rec[p.key].b
	}
	if err := p.checkKey(line, key); err != nil {
		return err
	}
	width, err := p.width(line, rec)
	if err != nil {
		return err
	}
	return p.add(line, key, ts, p.format[:width], rec, p.values[:width])
}

// checkKey refuses an empty or too long key.
func (p *csvPlan) checkKey(line int, key []byte) error {
	col := ""
	if p.key >= 0 {
		col = p.names[p.key]
	}
	if len(key) == 0 {
		return &CellError{Line: line, Column: col, Err: errors.New("empty key")}
	}
	if err := p.lim.CheckKey(key); err != nil {
		return &CellError{Line: line, Column: col, Err: err}
	}
	return nil
}

// width is the number of values of a row: up to its last non-empty cell,
// with none missing before.
func (p *csvPlan) width(line int, rec []csvCell) (int, error) {
	width := len(p.values)
	for width > 0 && missing(rec[p.values[width-1]]) {
		width--
	}
	if width == 0 {
		return 0, &CellError{Line: line, Err: fmt.Errorf("no values in the value columns (%s)", p.valueNames())}
	}
	for c := range width {
		if cell := rec[p.values[c]]; missing(cell) {
			return 0, &CellError{Line: line, Column: p.names[p.values[c]], Err: fmt.Errorf("empty cell before the value in column %s: a chime row has no holes (use --split-columns, or leave the column out with --value-columns)", p.names[p.values[width-1]])}
		}
	}
	return width, nil
}

// missing reports whether a cell holds no value: empty and unquoted.
func missing(c csvCell) bool { return len(c.b) == 0 && !c.quoted }

// splitRow adds one single-value row per non-empty value cell.
func (p *csvPlan) splitRow(line int, ts uint64, rec []csvCell) error {
	for i, col := range p.values {
		if missing(rec[col]) {
			continue
		}
		if err := p.checkKey(line, p.split[i]); err != nil {
			return err
		}
		if err := p.add(line, p.split[i], ts, p.format[i:i+1], rec, p.values[i:i+1]); err != nil {
			return err
		}
	}
	return nil
}

// add appends a row of format f, its values in the cells cols of rec.
func (p *csvPlan) add(line int, key []byte, ts uint64, f format.Format, rec []csvCell, cols []int) error {
	n, err := p.begin(key, ts, f)
	if err != nil {
		return err
	}
	for c, col := range cols {
		if f.Code(c).Variable() && len(rec[col].b) == 0 && c < len(cols)-1 {
			p.blk.Truncate(n)
			return &CellError{Line: line, Column: p.names[col], Err: errors.New("an empty value before the last column, which a chime row cannot hold")}
		}
		err := appendValue(&p.blk, c, rec[col].b)
		if err != nil {
			p.blk.Truncate(n)
			return &CellError{Line: line, Column: p.names[col], Err: fmt.Errorf("%s as %c: %w", format.Quote(rec[col].b), f[c], err)}
		}
	}
	return p.end(line, n)
}
