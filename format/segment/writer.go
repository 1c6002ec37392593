package segment

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/chime-tsdb/chime/format"
)

// Writer streams a segment file to an io.Writer. Rows must come in key
// order and, within a key, in strictly increasing time order. Memory stays
// bounded: blocks and index pages are written as soon as they fill; only
// one entry per index page (256 blocks) is kept until Close.
type Writer struct {
	w    *bufio.Writer
	kind Kind
	off  uint64
	err  error

	pending format.Block // rows not yet written, one key and one format
	enc     blockEncoder
	hasLast bool
	lastKey []byte
	lastTS  uint64

	page      []byte // entries of the current index page
	pageN     int
	pageKey   []byte // previous entry's key, for prefix sharing
	pageFmt   format.Format
	pageFirst []byte
	top       []byte // top index entries
	topN      int

	rows, blocks uint64
	included     []string
	markers      []format.Marker
}

// NewWriter starts a segment of kind k on w. Call Close to finish it;
// Close does not close w.
func NewWriter(w io.Writer, k Kind) *Writer {
	sw := &Writer{w: bufio.NewWriterSize(w, 1<<20), kind: k}
	sw.write(appendHeader(nil, k))
	return sw
}

// SetIncluded records the names of the transaction files this segment
// includes (a compaction output); it is written by Close.
func (w *Writer) SetIncluded(names []string) { w.included = append([]string(nil), names...) }

// AddMarker records a delete marker; it is written by Close.
func (w *Writer) AddMarker(m format.Marker) { w.markers = append(w.markers, m) }

// Rows is the number of rows written so far.
func (w *Writer) Rows() uint64 { return w.rows + uint64(w.pending.Len()) }

// Offset is the number of bytes passed to the underlying writer so far
// (buffered bytes included).
func (w *Writer) Offset() uint64 { return w.off }

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	_, w.err = w.w.Write(b)
	w.off += uint64(len(b))
}

// WriteBlock appends the rows of b, checking their order against
// everything written before. Consecutive calls with the same key and format
// are merged into full blocks.
func (w *Writer) WriteBlock(b *format.Block) error {
	if w.err != nil {
		return w.err
	}
	if err := w.checkOrder(b); err != nil {
		return err
	}
	if w.pending.Len() > 0 && (!bytes.Equal(w.pending.Key, b.Key) || w.pending.Format != b.Format) {
		w.flushPending()
	}
	if w.pending.Len() == 0 {
		w.pending.Reset(b.Key, b.Format)
	}
	for from := 0; from < b.Len() && w.err == nil; {
		n := min(BlockRows-w.pending.Len(), b.Len()-from)
		w.pending.AppendRows(b, from, from+n)
		from += n
		if w.pending.Len() >= BlockRows || w.pending.VarBytes() >= blockBodyTarget {
			w.flushPending() // keeps pending's key and format, which are b's
		}
	}
	return w.err
}

func (w *Writer) checkOrder(b *format.Block) error {
	if b.Len() == 0 {
		return nil
	}
	if len(b.Key) == 0 || len(b.Key) > format.MaxKeyLen {
		return fmt.Errorf("key of %d bytes (want 1 to %d)", len(b.Key), format.MaxKeyLen)
	}
	if w.hasLast {
		switch c := bytes.Compare(w.lastKey, b.Key); {
		case c > 0:
			return fmt.Errorf("%w: key %q after %q", ErrOrder, b.Key, w.lastKey)
		case c == 0 && b.Times[0] <= w.lastTS:
			return fmt.Errorf("%w: key %q: time %d after %d", ErrOrder, b.Key, b.Times[0], w.lastTS)
		}
	}
	for i := 1; i < len(b.Times); i++ {
		if b.Times[i] <= b.Times[i-1] {
			return fmt.Errorf("%w: key %q: time %d after %d", ErrOrder, b.Key, b.Times[i], b.Times[i-1])
		}
	}
	w.hasLast = true
	w.lastKey = append(w.lastKey[:0], b.Key...)
	w.lastTS = b.Times[len(b.Times)-1]
	return nil
}

// flushPending writes the pending rows as one block and indexes it.
func (w *Writer) flushPending() {
	p := &w.pending
	if p.Len() == 0 || w.err != nil {
		return
	}
	raw := w.enc.encode(p, 0, p.Len())
	off := w.off
	w.write(raw)
	w.index(p, off, uint64(len(raw)))
	p.Reset(p.Key, p.Format)
}

// index adds the entry of a block just written, writing out the index
// page when it is full.
func (w *Writer) index(b *format.Block, off, length uint64) {
	if w.pageN == 0 {
		w.pageKey = w.pageKey[:0]
		w.pageFmt = ""
		w.pageFirst = append(w.pageFirst[:0], b.Key...)
	}
	shared := commonPrefix(w.pageKey, b.Key)
	w.page = binary.AppendUvarint(w.page, uint64(shared))
	w.page = appendUvarintBytes(w.page, b.Key[shared:])
	if b.Format == w.pageFmt {
		w.page = append(w.page, 0)
	} else {
		w.page = appendUvarintBytes(w.page, []byte(b.Format))
		w.pageFmt = b.Format
	}
	minTS, maxTS := b.Times[0], b.Times[len(b.Times)-1]
	for _, v := range [...]uint64{off, length, uint64(b.Len()), minTS, maxTS - minTS} {
		w.page = binary.AppendUvarint(w.page, v)
	}
	w.pageKey = append(w.pageKey[:0], b.Key...)
	w.pageN++
	w.rows += uint64(b.Len())
	w.blocks++
	if w.pageN == PageEntries {
		w.flushPage()
	}
}

func (w *Writer) flushPage() {
	if w.pageN == 0 {
		return
	}
	page := binary.AppendUvarint(nil, uint64(w.pageN))
	page = append(page, w.page...)
	page = appendCRC(page, 0)
	off := w.off
	w.write(page)
	w.top = appendUvarintBytes(w.top, w.pageFirst)
	for _, v := range [...]uint64{off, uint64(len(page)), uint64(w.pageN)} {
		w.top = binary.AppendUvarint(w.top, v)
	}
	w.topN++
	w.page, w.pageN = w.page[:0], 0
}

// Close writes the last block and index page, the top index, the meta
// section and the footer, and flushes. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	w.flushPending()
	w.flushPage()
	f := footer{kind: w.kind, rows: w.rows, blocks: w.blocks}
	top := binary.AppendUvarint(nil, uint64(w.topN))
	top = appendCRC(append(top, w.top...), 0)
	f.topOff, f.topLen = w.off, uint64(len(top))
	w.write(top)
	meta := w.appendMeta(nil)
	f.metaOff, f.metaLen = w.off, uint64(len(meta))
	w.write(meta)
	w.write(f.append(nil))
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *Writer) appendMeta(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(w.included)))
	for _, name := range w.included {
		dst = appendUvarintBytes(dst, []byte(name))
	}
	dst = binary.AppendUvarint(dst, uint64(len(w.markers)))
	for i := range w.markers {
		dst = appendMarker(dst, &w.markers[i])
	}
	return appendCRC(dst, 0)
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
