package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"unicode/utf8"

	pq "github.com/parquet-go/parquet-go"

	"github.com/chime-tsdb/chime/format"
)

// DefaultRowGroupRows is the number of rows of a row group unless
// WriterOptions say otherwise: 128Ki rows (DuckDB writes 122,880) lets
// engines skip most of a large file by key or time, and keeps the memory
// of the row groups in flight small (80 MiB of RSS exporting 10M rows,
// against 150 with 512Ki).
const DefaultRowGroupRows = 1 << 17

// maxRowGroupBytes closes a row group early when the values it copied
// pass it (wide string rows), so that memory stays bounded.
const maxRowGroupBytes = 64 << 20

// batchRows is how many rows a row group builder converts per column
// before handing them to parquet-go.
const batchRows = 1024

// WriterOptions configure a Writer. The zero value is valid.
type WriterOptions struct {
	// RowGroupRows is the number of rows per row group; 0 means
	// DefaultRowGroupRows.
	RowGroupRows int
	// Workers build row groups in parallel; 0 means one per CPU.
	Workers int
}

// Writer streams chime rows to a Parquet file (see the package comment
// for the schema). Rows must come in the order the file should hold
// (read's key then time order). WriteRows copies rows into the current
// row group; a full one is encoded and compressed by a worker while the
// next fills, and written out in order, so that memory holds a few row
// groups whatever the size of the file.
type Writer struct {
	pw     *pq.GenericWriter[any]
	schema *Schema
	maxRow int

	cur    *rowGroup
	jobs   chan *rowGroup
	order  chan *rowGroup
	done   chan error // the committer's result
	wg     sync.WaitGroup
	err    error
	closed bool
}

// rowGroup is the rows of one row group, copied, then built into
// parquet-go's column writers by a worker.
type rowGroup struct {
	blocks []*format.Block
	rows   int
	bytes  int
	rg     *pq.ConcurrentRowGroupWriter
	err    error
	built  chan struct{}
}

// NewWriter starts a Parquet file with the schema s on w. Close finishes
// it; Close does not close w.
func NewWriter(w io.Writer, s *Schema, o *WriterOptions) *Writer {
	if o == nil {
		o = &WriterOptions{}
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	wr := &Writer{
		pw: pq.NewGenericWriter[any](w,
			s.node(),
			pq.Compression(&pq.Zstd),
			pq.CreatedBy("chime", "", ""),
		),
		schema: s,
		maxRow: o.RowGroupRows,
		jobs:   make(chan *rowGroup, workers),
		order:  make(chan *rowGroup, workers+1),
		done:   make(chan error, 1),
	}
	if wr.maxRow <= 0 {
		wr.maxRow = DefaultRowGroupRows
	}
	for range workers {
		wr.wg.Add(1)
		go func() {
			defer wr.wg.Done()
			for g := range wr.jobs {
				g.build(wr.pw, s)
			}
		}()
	}
	go wr.commitLoop()
	return wr
}

// commitLoop writes built row groups to the output in order. After an
// error it drains the rest.
func (w *Writer) commitLoop() {
	var err error
	for g := range w.order {
		<-g.built
		if err == nil {
			err = g.err
		}
		if err == nil {
			if _, cerr := g.rg.Commit(); cerr != nil {
				err = fmt.Errorf("write parquet row group: %w", cerr)
			}
		}
		g.blocks, g.rg = nil, nil
	}
	w.done <- err
}

// WriteRows appends rows [from, to) of b. b may be reused once it returns.
func (w *Writer) WriteRows(b *format.Block, from, to int) error {
	if w.err != nil {
		return w.err
	}
	if w.err = w.check(b, from, to); w.err != nil {
		return w.err
	}
	for from < to {
		if w.cur == nil {
			w.cur = &rowGroup{built: make(chan struct{})}
		}
		n := min(to-from, w.maxRow-w.cur.rows)
		w.cur.add(b, from, from+n)
		from += n
		if w.cur.rows >= w.maxRow || w.cur.bytes >= maxRowGroupBytes {
			w.endRowGroup()
		}
	}
	return nil
}

// check refuses what the file's types cannot hold: times beyond INT64
// nanoseconds, keys and s values that are not UTF-8 (Parquet's strings
// are, and DuckDB refuses others).
func (w *Writer) check(b *format.Block, from, to int) error {
	if !utf8.Valid(b.Key) {
		return fmt.Errorf("key %s is not UTF-8, which Parquet strings must be: select around it", format.Quote(b.Key))
	}
	for i := from; i < to; i++ {
		if b.Times[i] > math.MaxInt64 {
			return fmt.Errorf("key %s: timestamp %d is after 2262-04-11T23:47:16.854775807Z, the last instant a Parquet nanosecond timestamp holds", format.Quote(b.Key), b.Times[i])
		}
	}
	for _, c := range w.schema.Columns {
		if c.Code != format.Str || c.Index >= len(b.Cols) {
			continue
		}
		for i := from; i < to; i++ {
			if v := b.Bytes(c.Index, i); !utf8.Valid(v) {
				return fmt.Errorf("key %s, timestamp %d, column %s: value %s is not UTF-8, which Parquet strings must be: leave the column out with -C", format.Quote(b.Key), b.Times[i], c.Name(), format.Quote(v))
			}
		}
	}
	return nil
}

// add copies rows [from, to) of b.
func (g *rowGroup) add(b *format.Block, from, to int) {
	var dst *format.Block
	if n := len(g.blocks); n > 0 && g.blocks[n-1].Format == b.Format && string(g.blocks[n-1].Key) == string(b.Key) {
		dst = g.blocks[n-1]
	} else {
		dst = new(format.Block)
		dst.Reset(b.Key, b.Format)
		g.blocks = append(g.blocks, dst)
		g.bytes += len(b.Key)
	}
	before := dst.VarBytes()
	dst.AppendRows(b, from, to)
	g.rows += to - from
	g.bytes += (to-from)*8*(1+len(b.Cols)) + dst.VarBytes() - before
}

// endRowGroup hands the current row group to a worker and the committer.
func (w *Writer) endRowGroup() {
	if w.cur == nil {
		return
	}
	w.order <- w.cur
	w.jobs <- w.cur
	w.cur = nil
}

// build converts the row group's rows into parquet-go's column writers,
// which encode and compress pages as they fill.
func (g *rowGroup) build(pw *pq.GenericWriter[any], s *Schema) {
	defer close(g.built)
	g.rg = pw.BeginRowGroup()
	cols := g.rg.ColumnWriters()
	vals := make([]pq.Value, 0, batchRows)
	for _, b := range g.blocks {
		for from := 0; from < b.Len(); from += batchRows {
			to := min(b.Len(), from+batchRows)
			for ci, cw := range cols {
				vals = appendColumn(vals[:0], b, s, ci, from, to)
				if _, err := cw.WriteRowValues(vals); err != nil {
					g.err = fmt.Errorf("write parquet column %d: %w", ci, err)
					return
				}
			}
		}
	}
	clear(vals[:cap(vals)])
}

// appendColumn appends the values of file column ci (key, ts, then the
// value columns) of rows [from, to) of b.
func appendColumn(dst []pq.Value, b *format.Block, s *Schema, ci, from, to int) []pq.Value {
	switch ci {
	case 0:
		v := pq.ByteArrayValue(b.Key)
		for range to - from {
			dst = append(dst, v)
		}
		return dst
	case 1:
		for _, ts := range b.Times[from:to] {
			dst = append(dst, pq.Int64Value(int64(ts)))
		}
		return dst
	}
	c := s.Columns[ci-2]
	if c.Index >= len(b.Cols) {
		for range to - from {
			dst = append(dst, pq.NullValue())
		}
		return dst
	}
	for i := from; i < to; i++ {
		dst = append(dst, valueOf(b, c, i))
		dst[len(dst)-1].SetDefinitionLevel(1)
	}
	return dst
}

// valueOf converts the value of column c of row i of b to the column's
// type, widening it when the row's own code is narrower (see Widen).
func valueOf(b *format.Block, c ValueColumn, i int) pq.Value {
	from := b.Format.Code(c.Index)
	if from.Variable() {
		return pq.ByteArrayValue(b.Bytes(c.Index, i))
	}
	num := b.Cols[c.Index].Nums[i]
	switch c.Code {
	case format.U32:
		return pq.Int32Value(int32(uint32(num)))
	case format.I32:
		return pq.Int32Value(int32(num))
	case format.U64, format.I64:
		return pq.Int64Value(int64(num))
	case format.F32:
		return pq.FloatValue(math.Float32frombits(uint32(num)))
	}
	return pq.DoubleValue(toFloat64(from, num))
}

// toFloat64 converts a value of code c to float64: exactly, for the codes
// that Widen widens to F.
func toFloat64(c format.Code, num uint64) float64 {
	switch c {
	case format.F32:
		return float64(math.Float32frombits(uint32(num)))
	case format.U32:
		return float64(uint32(num))
	case format.I32:
		return float64(int64(num))
	}
	return math.Float64frombits(num)
}

// Close writes the last row group and the footer. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return errors.New("parquet writer closed twice")
	}
	w.closed = true
	if w.err == nil {
		w.endRowGroup()
	}
	close(w.jobs)
	close(w.order)
	err := <-w.done
	w.wg.Wait()
	switch {
	case w.err != nil:
		return w.err
	case err != nil:
		return err
	}
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("write parquet footer: %w", err)
	}
	return nil
}
