package segment

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/chime-tsdb/chime/format"
)

// ID identifies one published file for good: 128 random bits, written in
// its meta section. Names can be reused (a writer with a stale listing may
// publish under a name a compaction already merged and removed); a name and
// an ID cannot.
type ID [16]byte

// IsZero reports whether id is the zero ID of a version 1 file, which
// carries none.
func (id ID) IsZero() bool { return id == ID{} }

// String is the ID in hexadecimal, for messages.
func (id ID) String() string { return fmt.Sprintf("%x", id[:]) }

// NewID returns a random ID.
func NewID() ID {
	var id ID
	rand.Read(id[:]) // never fails (crypto/rand documents it)
	return id
}

// Included names one file that a compaction output holds the rows of: its
// name and its ID. A version 1 file's included list has names only (zero
// IDs), which match any file of that name.
type Included struct {
	Name string
	ID   ID
}

// Options describe the segment a Writer makes. The zero value is a data
// segment of the current version with a random ID.
type Options struct {
	Kind Kind
	// ID is the file's identity; zero means a random one (see Writer.ID).
	ID ID
	// Generation is, for a main, its generation, and for a minor
	// compaction output, the generation of the main it was planned on.
	Generation uint64
	// HighWater is, for a main, the highest transaction position it holds
	// or ever held.
	HighWater uint64
	// Included lists the files a compaction output holds the rows of.
	Included []Included
	// Markers are the delete markers of a marker segment.
	Markers []format.Marker
	// Spool, when set, receives the index pages once they pass a few
	// megabytes, so that memory stays bounded however large the file: the
	// pages are written after the blocks (see doc.go), and the Writer
	// reads them back from the spool at Close. nil keeps them in memory.
	Spool func() (Spool, error)
	// Version is the layout to write: 0 for the current one; 1 writes the
	// legacy layout (index pages between blocks, no IDs), for the tests
	// that check older databases still open.
	Version int
}

// Spool is temporary storage for index pages: written in order, then read
// back from offset 0.
type Spool interface {
	io.Writer
	io.ReaderAt
}

// spoolAfter is how many bytes of index pages a Writer keeps in memory
// before it moves them to the Spool.
var spoolAfter = 4 << 20

// Writer streams a segment file to an io.Writer. Rows must come in key
// order and, within a key, in strictly increasing time order. Memory stays
// bounded: blocks are written as soon as they fill; index pages gather
// (in memory, or in the Spool past a few megabytes) until Close writes them
// after the blocks; one top-index entry per page (256 blocks) is kept.
type Writer struct {
	w    *bufio.Writer
	opts Options
	off  uint64
	err  error

	pending    format.Block // rows not yet written, one key and one format
	enc        blockEncoder
	hasLast    bool
	lastKey    []byte
	lastTS     uint64
	checked    format.Format // the last format found valid, when hasChecked
	hasChecked bool

	page      []byte // entries of the current index page
	pageN     int
	pageKey   []byte // previous entry's key, for prefix sharing
	pageFmt   format.Format
	pageFirst []byte
	pages     pageStore
	top       []topEntry

	rows, blocks uint64
}

// topEntry is one index page as the top index will name it. off is
// relative to the start of the index region until Close knows where that
// is (version 1 writes pages in place: off is absolute).
type topEntry struct {
	first   []byte
	off, n  uint64
	entries int
}

// NewWriter starts a segment on w. Call Close to finish it; Close does not
// close w.
func NewWriter(w io.Writer, o Options) *Writer {
	if o.ID.IsZero() && o.Version != 1 {
		o.ID = NewID()
	}
	if o.Version == 0 {
		o.Version = Version
	}
	sw := &Writer{w: bufio.NewWriterSize(w, 1<<20), opts: o}
	sw.opts.Included = append([]Included(nil), o.Included...)
	sw.opts.Markers = append([]format.Marker(nil), o.Markers...)
	sw.pages.spool = o.Spool
	sw.write(appendHeader(nil, o.Kind, o.Version))
	return sw
}

// ID is the identity written in the file's meta section.
func (w *Writer) ID() ID { return w.opts.ID }

// Rows is the number of rows written so far.
func (w *Writer) Rows() uint64 { return w.rows + uint64(w.pending.Len()) }

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	_, w.err = w.w.Write(b)
	w.off += uint64(len(b))
}

// WriteBlock appends the rows of b, checking them (see format.Block.Check)
// and their order against everything written before. Consecutive calls
// with the same key and format are merged into full blocks. An error
// leaves the Writer unusable.
func (w *Writer) WriteBlock(b *format.Block) error {
	if w.err != nil {
		return w.err
	}
	if b.Len() == 0 {
		return nil
	}
	if w.opts.Kind != KindData {
		return fmt.Errorf("rows written to a %s segment", w.opts.Kind)
	}
	if err := w.check(b); err != nil {
		w.err = err
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

// check refuses a block the Reader would refuse: a bad format or shape,
// values that do not fit their column, and rows out of order.
func (w *Writer) check(b *format.Block) error {
	if err := b.Check(w.hasChecked && b.Format == w.checked); err != nil {
		return err
	}
	w.checked, w.hasChecked = b.Format, true
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

// index adds the entry of a block just written, finishing the index page
// when it is full.
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

// flushPage finishes the current index page: version 1 writes it in
// place, between the blocks; later versions set it aside until Close.
func (w *Writer) flushPage() {
	if w.pageN == 0 || w.err != nil {
		return
	}
	page := binary.AppendUvarint(nil, uint64(w.pageN))
	page = append(page, w.page...)
	page = appendCRC(page, 0)
	e := topEntry{first: bytes.Clone(w.pageFirst), n: uint64(len(page)), entries: w.pageN}
	if w.opts.Version == 1 {
		e.off = w.off
		w.write(page)
	} else {
		e.off = w.pages.size
		w.err = w.pages.add(page)
	}
	w.top = append(w.top, e)
	w.page, w.pageN = w.page[:0], 0
}

// Close writes the last block, the index pages, the top index, the meta
// section and the footer, and flushes. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	w.flushPending()
	w.flushPage()
	base := uint64(0)
	if w.opts.Version != 1 {
		base = w.off
		w.copyPages()
	}
	f := footer{kind: w.opts.Kind, rows: w.rows, blocks: w.blocks, version: w.opts.Version}
	top := w.appendTop(nil, base)
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

// copyPages writes the index pages set aside, after the blocks.
func (w *Writer) copyPages() {
	if w.err != nil {
		return
	}
	n, err := w.pages.writeTo(w.w)
	w.off += uint64(n)
	w.err = err
}

func (w *Writer) appendTop(dst []byte, base uint64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(w.top)))
	for _, e := range w.top {
		dst = appendUvarintBytes(dst, e.first)
		for _, v := range [...]uint64{base + e.off, e.n, uint64(e.entries)} {
			dst = binary.AppendUvarint(dst, v)
		}
	}
	return appendCRC(dst, 0)
}

func (w *Writer) appendMeta(dst []byte) []byte {
	o := &w.opts
	if o.Version != 1 {
		dst = append(dst, o.ID[:]...)
		dst = binary.AppendUvarint(dst, o.Generation)
		dst = binary.AppendUvarint(dst, o.HighWater)
	}
	dst = binary.AppendUvarint(dst, uint64(len(o.Included)))
	for _, inc := range o.Included {
		dst = appendUvarintBytes(dst, []byte(inc.Name))
		if o.Version != 1 {
			dst = append(dst, inc.ID[:]...)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(o.Markers)))
	for i := range o.Markers {
		dst = appendMarker(dst, &o.Markers[i])
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

// pageStore holds the finished index pages until Close: in memory, then
// in the spool once they pass spoolAfter bytes (when there is a spool).
type pageStore struct {
	spool func() (Spool, error)
	mem   []byte
	s     Spool
	size  uint64 // bytes of pages in all
}

func (p *pageStore) add(page []byte) error {
	p.size += uint64(len(page))
	if p.s == nil {
		p.mem = append(p.mem, page...)
		if len(p.mem) < spoolAfter || p.spool == nil {
			return nil
		}
		s, err := p.spool()
		if err != nil {
			return fmt.Errorf("spool index pages: %w", err)
		}
		p.s, page, p.mem = s, p.mem, nil
	}
	if _, err := p.s.Write(page); err != nil {
		return fmt.Errorf("spool index pages: %w", err)
	}
	return nil
}

// writeTo copies every page to w, in order.
func (p *pageStore) writeTo(w io.Writer) (int64, error) {
	if p.s == nil {
		n, err := w.Write(p.mem)
		return int64(n), err
	}
	n, err := io.Copy(w, io.NewSectionReader(p.s, 0, int64(p.size)))
	if err != nil {
		err = fmt.Errorf("copy index pages from the spool: %w", err)
	}
	return n, err
}
