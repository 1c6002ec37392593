package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	pqformat "github.com/parquet-go/parquet-go/format"

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
	w      io.Writer
	off    int64 // bytes written to w
	schema *Schema
	maxRow int
	groups []pqformat.RowGroup
	rows   int64

	cur    *rowGroup
	jobs   chan *rowGroup
	order  chan *rowGroup
	done   chan error // the committer's result
	wg     sync.WaitGroup
	err    error
	closed bool
}

// rowGroup is the rows of one row group, copied, then encoded into column
// chunks by a worker.
type rowGroup struct {
	blocks []*format.Block
	rows   int
	bytes  int
	chunks []chunk
	err    error
	built  chan struct{}
}

// magic begins and ends a Parquet file.
const magic = "PAR1"

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
		w:      w,
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
				g.build(s)
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
			err = w.commit(g)
		}
		g.blocks, g.chunks = nil, nil
	}
	w.done <- err
}

// write writes b to the output, counting its bytes.
func (w *Writer) write(b []byte) error {
	n, err := w.w.Write(b)
	w.off += int64(n)
	if err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}

// commit writes the column chunks of g and keeps its metadata for the
// footer, with the chunks' offsets made absolute.
func (w *Writer) commit(g *rowGroup) error {
	if w.off == 0 {
		if err := w.write([]byte(magic)); err != nil {
			return err
		}
	}
	rg := pqformat.RowGroup{NumRows: int64(g.rows), FileOffset: w.off, Ordinal: int16(len(w.groups))}
	for _, c := range g.chunks {
		md := c.meta
		if md.DataPageOffset > 0 {
			md.DictionaryPageOffset = w.off
		}
		md.DataPageOffset += w.off
		rg.Columns = append(rg.Columns, pqformat.ColumnChunk{FileOffset: w.off, MetaData: md})
		rg.TotalByteSize += md.TotalUncompressedSize
		rg.TotalCompressedSize += md.TotalCompressedSize
		if err := w.write(c.data); err != nil {
			return err
		}
	}
	w.groups = append(w.groups, rg)
	w.rows += int64(g.rows)
	return nil
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

// build encodes the row group's column chunks.
func (g *rowGroup) build(s *Schema) {
	defer close(g.built)
	add := func(c chunk, err error) bool {
		g.chunks = append(g.chunks, c)
		g.err = err
		return err == nil
	}
	if !add(keyChunk(g.blocks)) || !add(timeChunk(g.blocks)) {
		return
	}
	for _, c := range s.Columns {
		if !add(valueChunk(g.blocks, c)) {
			return
		}
	}
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
	return w.footer()
}

// footer writes the file metadata, its length and the closing magic.
func (w *Writer) footer() error {
	els := w.schema.elements()
	orders := make([]pqformat.ColumnOrder, len(els)-1)
	for i := range orders {
		orders[i].Value = &pqformat.TypeDefinedOrder{}
	}
	meta := pqformat.FileMetaData{
		Version:      2,
		Schema:       els,
		NumRows:      w.rows,
		RowGroups:    w.groups,
		CreatedBy:    "chime",
		ColumnOrders: orders,
	}
	b, err := thrift.Marshal(new(thrift.CompactProtocol), &meta)
	if err != nil {
		return fmt.Errorf("encode parquet footer: %w", err)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(b)))
	if w.off == 0 {
		b = append([]byte(magic), b...)
	}
	if err := w.write(append(b, magic...)); err != nil {
		return fmt.Errorf("write parquet footer: %w", err)
	}
	return nil
}
