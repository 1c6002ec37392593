package parquet

import (
	"errors"
	"fmt"
	"io"

	pq "github.com/parquet-go/parquet-go"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// ReaderOptions say which columns of a file hold the key, the time and
// the values. The zero value reads chime's own schema.
type ReaderOptions struct {
	// KeyColumn names the column of keys (strings); "" means "key".
	KeyColumn string
	// Key is the key of every row, for a file of one series without a key
	// column; it excludes KeyColumn.
	Key []byte
	// TimeColumn names the column of times; "" means "ts". See
	// timeConvOf for the types it may have.
	TimeColumn string
	// ValueColumns names the value columns, in row order; nil means every
	// other column, in file order.
	ValueColumns []string
	// ParseTime converts a time column of strings; nil reads integer
	// nanoseconds or RFC 3339 (timefmt.ParseInput).
	ParseTime func([]byte) (uint64, error)
	// Limits bound keys and values; zero fields mean the defaults.
	Limits format.Limits
}

// RowError is an error about one row of a file, or about a whole column
// (Row < 0).
type RowError struct {
	RowGroup, Row int
	Column        string
	Err           error
}

func (e *RowError) Error() string {
	where := fmt.Sprintf("row group %d, row %d", e.RowGroup, e.Row)
	if e.Row < 0 {
		where = fmt.Sprintf("row group %d", e.RowGroup)
	}
	if e.Column != "" {
		where += ", column " + e.Column
	}
	return where + ": " + e.Err.Error()
}

func (e *RowError) Unwrap() error { return e.Err }

// ErrFile is wrapped by the errors of a file that is not a Parquet file
// chime can read: damaged, truncated, nested, or without the columns it
// needs.
var ErrFile = errors.New("parquet input")

// blockRows caps the rows of one block handed to write, so that a file of
// one long series stays in bounded memory.
const blockRows = 4096

// Read reads the rows of the Parquet file r (size bytes) and passes them
// to write in file order, as blocks of one key and one format. A row's
// format is the codes of its value columns up to its last non-null value:
// trailing nulls make a narrower row, as chime writes rows of different
// widths; a null before a value, a row with no value, or a null key or
// time is an error. An error returned by write that is a
// *format.OrderError is given the row's place in the file.
func Read(r io.ReaderAt, size int64, o *ReaderOptions, write func(*format.Block) error) error {
	if o == nil {
		o = &ReaderOptions{}
	}
	lim, err := o.Limits.WithDefaults()
	if err != nil {
		return err
	}
	f, err := openFile(r, size)
	if err != nil {
		return err
	}
	p, err := planRead(f.Schema(), o)
	if err != nil {
		return err
	}
	rd := &reader{plan: p, lim: &lim, write: write}
	meta := f.Metadata()
	for i, rg := range f.RowGroups() {
		for _, c := range p.readColumns() {
			err := fmt.Errorf("row group metadata has %d columns, the schema %d", len(meta.RowGroups[i].Columns), len(p.names))
			if c < len(meta.RowGroups[i].Columns) {
				err = checkChunk(r, size, &meta.RowGroups[i].Columns[c].MetaData, rg.NumRows())
			}
			if err != nil {
				return &RowError{RowGroup: i, Row: -1, Column: p.names[c], Err: fmt.Errorf("%w: %v", ErrFile, err)}
			}
		}
		if err := rd.readGroup(i, rg); err != nil {
			return err
		}
	}
	return nil
}

// readPlan is which file columns hold the key, the time and the values.
type readPlan struct {
	key    int // -1: fixed key
	fixed  []byte
	time   int
	conv   timeConv
	values []int
	codes  []format.Code
	format format.Format // codes as a format, sliced for narrower rows
	names  []string      // of every leaf column, for messages
}

// planRead maps the options onto the file's schema. The types of a
// damaged schema may panic when asked their kind.
func planRead(s *pq.Schema, o *ReaderOptions) (p *readPlan, err error) {
	defer recoverDamage(&err)
	fields := s.Fields()
	p = &readPlan{key: -1, fixed: o.Key}
	byName := map[string]int{}
	for i, fl := range fields {
		if !fl.Leaf() || fl.Repeated() {
			return nil, fmt.Errorf("%w: column %q is nested or repeated; chime reads flat files", ErrFile, fl.Name())
		}
		byName[fl.Name()] = i
		p.names = append(p.names, fl.Name())
	}
	find := func(name, what string) (int, error) {
		i, ok := byName[name]
		if !ok {
			return 0, fmt.Errorf("%w: no %s column %q (the file has %v)", ErrFile, what, name, p.names)
		}
		return i, nil
	}
	used := map[int]bool{}
	if o.Key == nil {
		i, err := find(or(o.KeyColumn, KeyColumn), "key")
		if err != nil {
			return nil, err
		}
		if fields[i].Type().Kind() != pq.ByteArray {
			return nil, fmt.Errorf("%w: key column %q is %s, not a string", ErrFile, fields[i].Name(), fields[i].Type())
		}
		p.key, used[i] = i, true
	}
	i, err := find(or(o.TimeColumn, TimeColumn), "time")
	if err != nil {
		return nil, err
	}
	parse := o.ParseTime
	if parse == nil {
		parse = timefmt.ParseInput
	}
	if p.conv, err = timeConvOf(fields[i].Type(), parse); err != nil {
		return nil, fmt.Errorf("%w: time column %q: %v", ErrFile, fields[i].Name(), err)
	}
	p.time, used[i] = i, true
	return p, p.planValues(fields, o.ValueColumns, find, used)
}

// planValues picks and types the value columns.
func (p *readPlan) planValues(fields []pq.Field, names []string, find func(string, string) (int, error), used map[int]bool) error {
	var cols []int
	if names == nil {
		for i := range fields {
			if !used[i] {
				cols = append(cols, i)
			}
		}
	}
	for _, name := range names {
		i, err := find(name, "value")
		if err != nil {
			return err
		}
		cols = append(cols, i)
	}
	if len(cols) > format.MaxFormatLen {
		return fmt.Errorf("%w: %d value columns, at most %d", ErrFile, len(cols), format.MaxFormatLen)
	}
	for _, i := range cols {
		c, err := codeOf(fields[i].Type())
		if err != nil {
			return fmt.Errorf("%w: value column %q: %v", ErrFile, fields[i].Name(), err)
		}
		p.values = append(p.values, i)
		p.codes = append(p.codes, c)
		p.format += format.Format([]byte{byte(c)})
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// reader turns the rows of a file into blocks.
type reader struct {
	plan  *readPlan
	lim   *format.Limits
	write func(*format.Block) error

	blk      format.Block
	blkStart int // row of the block's first row in its group
	group    int
	vals     [][]pq.Value // a batch per column read: key, time, values
}

const readBatch = 1024

// readGroup reads one row group, column by column in batches of rows.
func (rd *reader) readGroup(gi int, rg pq.RowGroup) error {
	rd.group = gi
	chunks := rg.ColumnChunks()
	cols := rd.plan.readColumns()
	readers := make([]pq.ColumnChunkValueReader, len(cols))
	for i, c := range cols {
		readers[i] = pq.NewColumnChunkValueReader(chunks[c])
		defer readers[i].Close()
	}
	if rd.vals == nil {
		rd.vals = make([][]pq.Value, len(cols))
		for i := range rd.vals {
			rd.vals[i] = make([]pq.Value, readBatch)
		}
	}
	rows := rg.NumRows()
	if rows > 0 && len(rd.plan.values) == 0 {
		return fmt.Errorf("%w: no value columns (the file has %v)", ErrFile, rd.plan.names)
	}
	for row := int64(0); row < rows; {
		n := int(min(readBatch, rows-row))
		for i, r := range readers {
			if err := readFull(r, rd.vals[i][:n]); err != nil {
				return &RowError{RowGroup: gi, Row: int(row), Column: rd.plan.names[cols[i]], Err: fmt.Errorf("%w: %v", ErrFile, err)}
			}
		}
		if err := rd.rows(int(row), n); err != nil {
			return err
		}
		row += int64(n)
	}
	return rd.flush()
}

// readColumns lists the file columns read, in the order of rd.vals.
func (p *readPlan) readColumns() []int {
	cols := []int{}
	if p.key >= 0 {
		cols = append(cols, p.key)
	}
	cols = append(cols, p.time)
	return append(cols, p.values...)
}

// openFile opens a Parquet file. parquet-go panics on some damaged
// files rather than returning an error: that panic is the file's fault,
// not chime's, and becomes ErrFile.
func openFile(r io.ReaderAt, size int64) (f *pq.File, err error) {
	defer recoverDamage(&err)
	if err := checkFooter(r, size); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFile, err)
	}
	f, err = pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFile, err)
	}
	return f, nil
}

// recoverDamage turns a panic of parquet-go while decoding into an error.
func recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: damaged file (%v)", ErrFile, r)
	}
}

// readFull fills vals from r.
func readFull(r pq.ValueReader, vals []pq.Value) (err error) {
	defer recoverDamage(&err)
	for len(vals) > 0 {
		n, err := r.ReadValues(vals)
		vals = vals[n:]
		if err != nil {
			if err == io.EOF && len(vals) == 0 {
				return nil
			}
			if err == io.EOF {
				return errors.New("column chunk ends early")
			}
			return err
		}
		if n == 0 {
			return errors.New("column chunk reads no values")
		}
	}
	return nil
}

// rows adds the n rows of the batch, the first being row first of the
// group.
func (rd *reader) rows(first, n int) error {
	p := rd.plan
	kv, tv, vv := rd.vals[0], rd.vals[0], rd.vals[1:]
	if p.key >= 0 {
		tv, vv = rd.vals[1], rd.vals[2:]
	}
	for i := range n {
		row := first + i
		key := p.fixed
		if p.key >= 0 {
			if kv[i].IsNull() {
				return rd.rowError(row, p.key, errors.New("null key"))
			}
			key = kv[i].ByteArray()
		}
		if err := rd.row(row, key, tv[i], vv, i); err != nil {
			return err
		}
	}
	return nil
}

// row adds one row.
func (rd *reader) row(row int, key []byte, tv pq.Value, vv [][]pq.Value, i int) error {
	p := rd.plan
	if len(key) == 0 {
		return rd.rowError(row, p.key, errors.New("empty key"))
	}
	if err := rd.lim.CheckKey(key); err != nil {
		return rd.rowError(row, p.key, err)
	}
	if tv.IsNull() {
		return rd.rowError(row, p.time, errors.New("null time"))
	}
	ts, err := p.conv(tv)
	if err != nil {
		return rd.rowError(row, p.time, err)
	}
	width, err := rd.width(row, vv, i)
	if err != nil {
		return err
	}
	f := p.format[:width]
	if rd.blk.Len() >= blockRows || rd.blk.Format != f || string(rd.blk.Key) != string(key) {
		if err := rd.flush(); err != nil {
			return err
		}
		rd.blk.Reset(key, f)
		rd.blkStart = row
	}
	rd.blk.Times = append(rd.blk.Times, ts)
	for c := range width {
		v := vv[c][i]
		if code := p.codes[c]; code.Variable() {
			b := v.ByteArray()
			if len(b) > rd.lim.MaxValueLen {
				return rd.rowError(row, p.values[c], fmt.Errorf("%w: value is %d bytes long, the limit is %d", format.ErrLimit, len(b), rd.lim.MaxValueLen))
			}
			rd.blk.AppendBytes(c, b)
		} else {
			rd.blk.Cols[c].Nums = append(rd.blk.Cols[c].Nums, numOf(v, code))
		}
	}
	return nil
}

// width is the number of value columns of a row: up to its last non-null
// value, with no null before it.
func (rd *reader) width(row int, vv [][]pq.Value, i int) (int, error) {
	width := len(vv)
	for width > 0 && vv[width-1][i].IsNull() {
		width--
	}
	if width == 0 {
		return 0, rd.rowError(row, -1, errors.New("every value is null: a chime row has at least one value"))
	}
	for c := range width {
		if vv[c][i].IsNull() {
			return 0, rd.rowError(row, rd.plan.values[c], fmt.Errorf("null before a value in column %s: a chime row has values up to its last one (choose columns with --value-columns)", rd.plan.names[rd.plan.values[width-1]]))
		}
		if rd.plan.codes[c].Variable() && c < width-1 && len(vv[c][i].ByteArray()) == 0 {
			return 0, rd.rowError(row, rd.plan.values[c], errors.New("empty value before the last column, which chime rows cannot hold"))
		}
	}
	return width, nil
}

// flush passes the current block on.
func (rd *reader) flush() error {
	if rd.blk.Len() == 0 {
		return nil
	}
	err := rd.write(&rd.blk)
	if oe := (*format.OrderError)(nil); errors.As(err, &oe) {
		err = &RowError{RowGroup: rd.group, Row: rd.blkStart + oe.Row, Err: err}
	}
	rd.blk.Truncate(0)
	return err
}

func (rd *reader) rowError(row, col int, err error) error {
	name := ""
	if col >= 0 {
		name = rd.plan.names[col]
	}
	return &RowError{RowGroup: rd.group, Row: row, Column: name, Err: err}
}
