package parquet

import (
	"cmp"
	"errors"
	"fmt"
	"io"

	pqformat "github.com/parquet-go/parquet-go/format"

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
	meta, err := readFooter(r, size)
	if err != nil {
		return err
	}
	leaves, err := flatLeaves(meta.Schema)
	if err != nil {
		return err
	}
	p, err := planRead(leaves, o)
	if err != nil {
		return err
	}
	rd := &reader{r: r, size: size, plan: p, lim: &lim, write: write}
	for i := range meta.RowGroups {
		if err := rd.readGroup(i, &meta.RowGroups[i]); err != nil {
			return err
		}
	}
	return nil
}

// readPlan is which file columns hold the key, the time and the values.
type readPlan struct {
	leaves []leaf
	key    int // -1: fixed key
	fixed  []byte
	time   int
	conv   timeConv
	values []int
	codes  []format.Code
	format format.Format // codes as a format, sliced for narrower rows
}

// planRead maps the options onto the file's columns.
func planRead(leaves []leaf, o *ReaderOptions) (*readPlan, error) {
	p := &readPlan{leaves: leaves, key: -1, fixed: o.Key}
	byName := map[string]int{}
	for i := range leaves {
		byName[leaves[i].name] = i
	}
	find := func(name, what string) (int, error) {
		i, ok := byName[name]
		if !ok {
			return 0, fmt.Errorf("%w: no %s column %q (the file has %v)", ErrFile, what, name, p.names())
		}
		return i, nil
	}
	used := map[int]bool{}
	if o.Key == nil {
		i, err := find(cmp.Or(o.KeyColumn, KeyColumn), "key")
		if err != nil {
			return nil, err
		}
		if l := &leaves[i]; l.el.Type.V != pqformat.ByteArray {
			return nil, fmt.Errorf("%w: key column %q is %s, not a string", ErrFile, l.name, l)
		}
		p.key, used[i] = i, true
	}
	i, err := find(cmp.Or(o.TimeColumn, TimeColumn), "time")
	if err != nil {
		return nil, err
	}
	parse := o.ParseTime
	if parse == nil {
		parse = timefmt.ParseInput
	}
	if p.conv, err = timeConvOf(&leaves[i], parse); err != nil {
		return nil, fmt.Errorf("%w: time column %q: %v", ErrFile, leaves[i].name, err)
	}
	p.time, used[i] = i, true
	return p, p.planValues(o.ValueColumns, find, used)
}

// planValues picks and types the value columns.
func (p *readPlan) planValues(names []string, find func(string, string) (int, error), used map[int]bool) error {
	var cols []int
	if names == nil {
		for i := range p.leaves {
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
		c, err := codeOf(&p.leaves[i])
		if err != nil {
			return fmt.Errorf("%w: value column %q: %v", ErrFile, p.leaves[i].name, err)
		}
		p.values = append(p.values, i)
		p.codes = append(p.codes, c)
		p.format += format.Format([]byte{byte(c)})
	}
	return nil
}

// names lists the file's columns, for messages.
func (p *readPlan) names() []string {
	names := make([]string, len(p.leaves))
	for i := range p.leaves {
		names[i] = p.leaves[i].name
	}
	return names
}

// reader turns the rows of a file into blocks.
type reader struct {
	r     io.ReaderAt
	size  int64
	plan  *readPlan
	lim   *format.Limits
	write func(*format.Block) error

	blk      format.Block
	blkStart int // row of the block's first row in its group
	group    int
	vals     []values // a batch per column read: key, time, values
}

const readBatch = 1024

// readGroup reads one row group, column by column in batches of rows.
func (rd *reader) readGroup(gi int, rg *pqformat.RowGroup) error {
	rd.group = gi
	cols := rd.plan.readColumns()
	readers, err := rd.chunkReaders(rg, cols)
	if err != nil {
		return err
	}
	if rd.vals == nil {
		rd.vals = make([]values, len(cols))
	}
	rows := rg.NumRows
	if rows > 0 && len(rd.plan.values) == 0 {
		return fmt.Errorf("%w: no value columns (the file has %v)", ErrFile, rd.plan.names())
	}
	for row := int64(0); row < rows; {
		n := int(min(readBatch, rows-row))
		for i, c := range readers {
			if err := readChunk(c, &rd.vals[i], n); err != nil {
				return &RowError{RowGroup: gi, Row: int(row), Column: rd.plan.leaves[cols[i]].name, Err: fmt.Errorf("%w: %v", ErrFile, err)}
			}
		}
		if err := rd.rows(int(row), n); err != nil {
			return err
		}
		row += int64(n)
	}
	return rd.flush()
}

// chunkReaders starts reading the column chunks of cols in row group rg.
func (rd *reader) chunkReaders(rg *pqformat.RowGroup, cols []int) ([]*chunkReader, error) {
	if rg.NumRows < 0 || len(rg.Columns) != len(rd.plan.leaves) {
		return nil, &RowError{RowGroup: rd.group, Row: -1, Err: fmt.Errorf("%w: row group of %d rows and %d columns in a schema of %d", ErrFile, rg.NumRows, len(rg.Columns), len(rd.plan.leaves))}
	}
	readers := make([]*chunkReader, len(cols))
	for i, c := range cols {
		var err error
		if cc := &rg.Columns[c]; cc.FilePath != "" {
			err = fmt.Errorf("column chunk in another file, %q", cc.FilePath)
		} else {
			readers[i], err = newChunkReader(rd.r, rd.size, &cc.MetaData, &rd.plan.leaves[c], rg.NumRows)
		}
		if err != nil {
			return nil, &RowError{RowGroup: rd.group, Row: -1, Column: rd.plan.leaves[c].name, Err: fmt.Errorf("%w: %v", ErrFile, err)}
		}
	}
	return readers, nil
}

// readChunk reads the next n rows of a column chunk. The decoders check
// what they read; a panic would still be the file's damage, not chime's,
// and becomes an error.
func readChunk(c *chunkReader, v *values, n int) (err error) {
	defer recoverDamage(&err)
	return c.read(v, n)
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

// recoverDamage turns a panic while decoding into an error.
func recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("damaged file (%v)", r)
	}
}

// rows adds the n rows of the batch, the first being row first of the
// group.
func (rd *reader) rows(first, n int) error {
	p := rd.plan
	kv, tv, vv := &rd.vals[0], &rd.vals[0], rd.vals[1:]
	if p.key >= 0 {
		tv, vv = &rd.vals[1], rd.vals[2:]
	}
	for i := range n {
		row := first + i
		key := p.fixed
		if p.key >= 0 {
			if kv.null[i] {
				return rd.rowError(row, p.key, errors.New("null key"))
			}
			key = kv.b[i]
		}
		if err := rd.row(row, key, tv, vv, i); err != nil {
			return err
		}
	}
	return nil
}

// row adds row i of the batch.
func (rd *reader) row(row int, key []byte, tv *values, vv []values, i int) error {
	p := rd.plan
	if len(key) == 0 {
		return rd.rowError(row, p.key, errors.New("empty key"))
	}
	if err := rd.lim.CheckKey(key); err != nil {
		return rd.rowError(row, p.key, err)
	}
	if tv.null[i] {
		return rd.rowError(row, p.time, errors.New("null time"))
	}
	ts, err := p.conv(at(tv.num, i), at(tv.b, i))
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
		v := &vv[c]
		if code := p.codes[c]; code.Variable() {
			b := v.b[i]
			if len(b) > rd.lim.MaxValueLen {
				return rd.rowError(row, p.values[c], fmt.Errorf("%w: value is %d bytes long, the limit is %d", format.ErrLimit, len(b), rd.lim.MaxValueLen))
			}
			rd.blk.AppendBytes(c, b)
		} else {
			rd.blk.Cols[c].Nums = append(rd.blk.Cols[c].Nums, numOf(v.num[i], code))
		}
	}
	return nil
}

// at is s[i], or the zero value when s is empty (a column of the other
// kind).
func at[T any](s []T, i int) T {
	var zero T
	if len(s) == 0 {
		return zero
	}
	return s[i]
}

// width is the number of value columns of a row: up to its last non-null
// value, with no null before it.
func (rd *reader) width(row int, vv []values, i int) (int, error) {
	width := len(vv)
	for width > 0 && vv[width-1].null[i] {
		width--
	}
	if width == 0 {
		return 0, rd.rowError(row, -1, errors.New("every value is null: a chime row has at least one value"))
	}
	for c := range width {
		if vv[c].null[i] {
			return 0, rd.rowError(row, rd.plan.values[c], fmt.Errorf("null before a value in column %s: a chime row has values up to its last one (choose columns with --value-columns)", rd.plan.leaves[rd.plan.values[width-1]].name))
		}
		if rd.plan.codes[c].Variable() && c < width-1 && len(vv[c].b[i]) == 0 {
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
		name = rd.plan.leaves[col].name
	}
	return &RowError{RowGroup: rd.group, Row: row, Column: name, Err: err}
}
