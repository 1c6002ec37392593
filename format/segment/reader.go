package segment

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"sync/atomic"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/wire"
)

// Reader is an open segment file. Opening reads only the header, the
// footer, the top index and the meta section; index pages and blocks are
// read on demand. A Segment is safe for concurrent use by several Cursors
// and BlockReaders.
type Reader struct {
	headerOK atomic.Bool // the header was read and checked
	r        io.ReaderAt
	size     int64
	f        footer
	pages    []pageRef
	id       ID
	gen, hwm uint64
	included []Included
	markers  []format.Marker
}

type pageRef struct {
	first   []byte
	off, n  uint64
	entries int
}

// Open checks the framing of the segment held by r (size bytes) and
// reads its tail: footer, top index and meta section, which one read of
// the end of the file holds. The header, at offset 0, is checked with the
// first block (which follows it, so that one read holds both), by
// CheckHeader, or here when the file has no block. A 0-byte file is an
// empty data segment.
func Open(r io.ReaderAt, size int64) (*Reader, error) {
	s := &Reader{r: r, size: size, f: footer{kind: KindData, version: Version}}
	if size == 0 {
		s.headerOK.Store(true)
		return s, nil
	}
	if err := checkSize(size); err != nil {
		return nil, err
	}
	if err := s.readFooterAlone(); err != nil {
		return nil, err
	}
	if err := s.readTop(); err != nil {
		return nil, err
	}
	if err := s.readMeta(); err != nil {
		return nil, err
	}
	if s.f.blocks == 0 {
		return s, s.CheckHeader()
	}
	return s, nil
}

// readFooterAlone reads the footer without the header: the kind it checks
// the footer against is the footer's own, whose CRC covers it.
func (s *Reader) readFooterAlone() error {
	var k [1]byte
	if err := s.readAt(k[:], s.size-footerSize+48, "footer"); err != nil {
		return err
	}
	s.f = footer{kind: Kind(k[0])}
	return s.readFooter()
}

// CheckHeader reads and checks the header (once): its magic, CRC,
// version and kind, which must agree with the footer's.
func (s *Reader) CheckHeader() error {
	if s.headerOK.Load() {
		return nil
	}
	var h [headerSize]byte
	if err := s.readAt(h[:], 0, "header"); err != nil {
		return err
	}
	return s.checkHeader(h[:])
}

// checkHeader checks the header's bytes against the footer.
func (s *Reader) checkHeader(h []byte) error {
	if !bytes.Equal(h[:8], magic[:]) {
		return fmt.Errorf("%w: offset 0: not a chime segment file (bad magic)", ErrCorrupt)
	}
	// The header's layout is the same in every version, so its CRC
	// tells a file of another version from a damaged version field.
	if _, err := checkCRC(h, 0, "header"); err != nil {
		return err
	}
	if v := binary.LittleEndian.Uint16(h[8:]); int(v) != s.f.version {
		if !knownVersion(v) {
			return fmt.Errorf("%w: header at offset 0 says version %d, this chime reads versions 1 to %d (upgrade chime)", ErrVersion, v, Version)
		}
		return fmt.Errorf("%w: header at offset 0 says version %d, the footer %d", ErrCorrupt, v, s.f.version)
	}
	if Kind(h[10]) != s.f.kind {
		return fmt.Errorf("%w: offset 10: file kind %d, the footer says %d", ErrCorrupt, h[10], s.f.kind)
	}
	s.headerOK.Store(true)
	return nil
}

// FooterInfo is what the footer of a segment says about it.
type FooterInfo struct {
	Kind         Kind
	Rows, Blocks uint64
}

// ReadFooter checks and reads only the footer of the segment held by r
// (size bytes): what a damaged file that Open refuses still says
// about itself, for reports of what it held.
func ReadFooter(r io.ReaderAt, size int64) (FooterInfo, error) {
	s := &Reader{r: r, size: size}
	if err := checkSize(size); err != nil {
		return FooterInfo{}, err
	}
	if err := s.readFooterAlone(); err != nil {
		return FooterInfo{}, err
	}
	return FooterInfo{Kind: s.f.kind, Rows: s.f.rows, Blocks: s.f.blocks}, nil
}

// checkSize refuses a non-empty file too short to hold a header, a footer,
// an empty top index and an empty meta section.
func checkSize(size int64) error {
	if size < headerSize+footerSize+8 {
		return fmt.Errorf("%w: file of %d bytes ends at offset %d, too short for a segment (truncated?)", ErrCorrupt, size, size)
	}
	return nil
}

func (s *Reader) readAt(buf []byte, off int64, what string) error {
	if _, err := s.r.ReadAt(buf, off); err != nil {
		return fmt.Errorf("read %s at offset %d: %w", what, off, err)
	}
	return nil
}

func (s *Reader) readFooter() error {
	var b [footerSize]byte
	off := s.size - footerSize
	if err := s.readAt(b[:], off, "footer"); err != nil {
		return err
	}
	le := binary.LittleEndian
	if !bytes.Equal(b[52:60], magic[:]) {
		return fmt.Errorf("%w: footer at offset %d: bad magic (truncated file?)", ErrCorrupt, off)
	}
	if _, err := checkCRC(b[:], off, "footer"); err != nil {
		return err
	}
	v := le.Uint16(b[50:])
	if !knownVersion(v) {
		return fmt.Errorf("%w: footer at offset %d says version %d, this chime reads versions 1 to %d (upgrade chime)", ErrVersion, off, v, Version)
	}
	f := footer{topOff: le.Uint64(b[0:]), topLen: le.Uint64(b[8:]), metaOff: le.Uint64(b[16:]),
		metaLen: le.Uint64(b[24:]), rows: le.Uint64(b[32:]), blocks: le.Uint64(b[40:]), kind: Kind(b[48]), version: int(v)}
	if f.kind != s.f.kind || f.kind > KindMarkers {
		return fmt.Errorf("%w: footer at offset %d: unknown file kind %d", ErrCorrupt, off, f.kind)
	}
	end := uint64(off)
	if f.topOff < headerSize || f.topLen < 5 || f.topLen > end || f.topOff > end-f.topLen ||
		f.metaOff != f.topOff+f.topLen || f.metaLen < 6 || f.metaLen != end-f.metaOff {
		return fmt.Errorf("%w: footer at offset %d: sections out of range", ErrCorrupt, off)
	}
	s.f = f
	return nil
}

// section reads and checks a CRC-framed section.
func (s *Reader) section(off, n uint64, what string) (*wire.Reader, error) {
	buf := make([]byte, n)
	if err := s.readAt(buf, int64(off), what); err != nil {
		return nil, err
	}
	body, err := checkCRC(buf, int64(off), what)
	if err != nil {
		return nil, err
	}
	return &wire.Reader{Buf: body, Base: int64(off), What: what}, nil
}

func (s *Reader) readTop() error {
	d, err := s.section(s.f.topOff, s.f.topLen, "top index")
	if err != nil {
		return err
	}
	n := d.Count(0, uint64(len(d.Buf)), "pages")
	s.pages = make([]pageRef, 0, n)
	var entries uint64
	for i := 0; i < n && d.Err == nil; i++ {
		p := pageRef{first: d.Bytes(format.MaxKeyLen)}
		p.off, p.n = d.Uvarint(), d.Uvarint()
		p.entries = d.Count(1, PageEntries, "page entries")
		if d.Err == nil && (p.off < headerSize || p.n < 5 || p.n > s.f.topOff || p.off > s.f.topOff-p.n) {
			d.Fail("page %d out of range", i)
		}
		if d.Err == nil && i > 0 && bytes.Compare(s.pages[i-1].first, p.first) > 0 {
			d.Fail("page %d out of key order", i)
		}
		entries += uint64(p.entries)
		s.pages = append(s.pages, p)
	}
	if d.Err == nil && entries != s.f.blocks {
		d.Fail("%d index entries, footer says %d blocks", entries, s.f.blocks)
	}
	return d.Done()
}

func (s *Reader) readMeta() error {
	d, err := s.section(s.f.metaOff, s.f.metaLen, "meta")
	if err != nil {
		return err
	}
	if s.f.version >= 2 {
		copy(s.id[:], d.Take(len(s.id)))
		s.gen, s.hwm = d.Uvarint(), d.Uvarint()
	}
	n := d.Count(0, uint64(len(d.Buf)), "included names")
	for i := 0; i < n && d.Err == nil; i++ {
		inc := Included{Name: string(d.Bytes(255))}
		if s.f.version >= 2 {
			copy(inc.ID[:], d.Take(len(inc.ID)))
		}
		s.included = append(s.included, inc)
	}
	n = d.Count(0, uint64(len(d.Buf)), "markers")
	for i := 0; i < n && d.Err == nil; i++ {
		var m format.Marker
		if decodeMarker(d, &m) == nil {
			s.markers = append(s.markers, m)
		}
	}
	return d.Done()
}

// Kind says whether the segment holds data or delete markers.
func (s *Reader) Kind() Kind { return s.f.kind }

// Size is the file size in bytes.
func (s *Reader) Size() int64 { return s.size }

// Rows is the number of rows stored in the segment's blocks.
func (s *Reader) Rows() uint64 { return s.f.rows }

// Blocks is the number of blocks.
func (s *Reader) Blocks() uint64 { return s.f.blocks }

// Included lists the files this segment holds the rows of (a compaction
// output's inputs).
func (s *Reader) Included() []Included { return s.included }

// ID is the file's identity; zero for a version 1 file or an empty one.
func (s *Reader) ID() ID { return s.id }

// Generation is what the writer set as Options.Generation (0 for version 1).
func (s *Reader) Generation() uint64 { return s.gen }

// HighWater is what the writer set as Options.HighWater (0 for version 1).
func (s *Reader) HighWater() uint64 { return s.hwm }

// Version is the layout version of the file.
func (s *Reader) Version() int { return s.f.version }

// Prefetcher is implemented by the io.ReaderAt of a segment that can
// fetch a range ahead of its reads: one request for a whole index rather
// than one per page on object storage, a read-ahead hint on a local file.
type Prefetcher interface {
	Prefetch(off, n int64)
}

// SequentialReader is implemented by the io.ReaderAt of a segment that can
// be told it is about to be read from end to end.
type SequentialReader interface {
	Sequential()
}

// ReadAll tells the file's io.ReaderAt, when it is a SequentialReader, that
// every block is about to be read (a full scan, a compaction): a local file
// then reads ahead, where a point read must not.
func (s *Reader) ReadAll() {
	if q, ok := s.r.(SequentialReader); ok {
		q.Sequential()
	}
}

// PrefetchIndex tells the file's io.ReaderAt, when it is a Prefetcher,
// that every index page is about to be read (a key listing, statistics,
// a full scan). In version 2 files the pages lie together after the
// blocks, so this is one range.
func (s *Reader) PrefetchIndex() {
	p, ok := s.r.(Prefetcher)
	if !ok || len(s.pages) == 0 {
		return
	}
	if s.f.version == 1 {
		return // its pages lie between the blocks
	}
	first := int64(s.pages[0].off)
	p.Prefetch(first, s.size-first)
}

// Markers lists the delete markers of a marker segment.
func (s *Reader) Markers() []format.Marker { return s.markers }

// IndexEntry describes one block. Key is valid until the cursor moves.
type IndexEntry struct {
	Key          []byte
	Format       format.Format
	Off, Len     uint64
	Rows         int
	MinTS, MaxTS uint64
}

// Cursor walks the index entries of a segment in (key, time) order.
type Cursor struct {
	s     *Reader
	page  int
	left  int
	d     wire.Reader
	buf   []byte
	e     IndexEntry
	first bool
	err   error
	// prevKey and prevMax are the last entry of the previous page, when
	// the cursor read it, so that order is checked across pages too.
	prevKey []byte
	prevMax uint64
	hasPrev bool
}

// Seek returns a cursor whose first entry is the first with a key >= key.
func (s *Reader) Seek(key []byte) *Cursor {
	c := &Cursor{s: s}
	c.Reset(key)
	return c
}

// Reset repositions c at the first entry with a key >= key.
func (c *Cursor) Reset(key []byte) {
	pages := c.s.pages
	// The first page whose first key is >= key; the page before it may
	// still hold key at its end.
	i := sort.Search(len(pages), func(i int) bool { return bytes.Compare(pages[i].first, key) >= 0 })
	c.page, c.left, c.err, c.first = max(i-1, 0), 0, nil, false
	c.e.Key = c.e.Key[:0]
	for c.Next() {
		if bytes.Compare(c.e.Key, key) >= 0 {
			c.first = true
			return
		}
	}
}

// Next advances to the next entry and reports whether there is one.
func (c *Cursor) Next() bool {
	if c.first {
		c.first = false
		return true
	}
	if c.err != nil {
		return false
	}
	if c.left == 0 {
		if c.page >= len(c.s.pages) {
			return false
		}
		if c.err = c.loadPage(); c.err != nil {
			return false
		}
	}
	c.err = c.decodeEntry()
	return c.err == nil
}

// Entry is the current entry, valid until the cursor moves.
func (c *Cursor) Entry() *IndexEntry { return &c.e }

// Err reports the first error the cursor met (corruption or I/O).
func (c *Cursor) Err() error { return c.err }

func (c *Cursor) loadPage() error {
	p := c.s.pages[c.page]
	c.page++
	if cap(c.buf) < int(p.n) {
		c.buf = make([]byte, p.n)
	}
	c.buf = c.buf[:p.n]
	if err := c.s.readAt(c.buf, int64(p.off), "index page"); err != nil {
		return err
	}
	body, err := checkCRC(c.buf, int64(p.off), "index page")
	if err != nil {
		return err
	}
	c.prevKey, c.prevMax, c.hasPrev = append(c.prevKey[:0], c.e.Key...), c.e.MaxTS, len(c.e.Key) > 0
	c.d = wire.Reader{Buf: body, Base: int64(p.off), What: "index page"}
	if n := c.d.Count(1, PageEntries, "entries"); c.d.Err == nil && n != p.entries {
		c.d.Fail("%d entries, top index says %d", n, p.entries)
	}
	c.left = p.entries
	c.e.Key, c.e.Format = c.e.Key[:0], ""
	return c.d.Err
}

func (c *Cursor) decodeEntry() error {
	d, e := &c.d, &c.e
	prev := e.Key
	shared := d.Count(0, uint64(len(prev)), "shared key prefix")
	suffix := d.Bytes(format.MaxKeyLen - shared)
	// count bounds shared by len(prev). The shared prefix is equal, so
	// comparing the rest orders the keys.
	cmp := bytes.Compare(prev[shared:], suffix)
	key := append(prev[:shared], suffix...)
	if d.Err == nil && len(key) == 0 {
		d.Fail("empty key")
	}
	if f := d.Bytes(format.MaxFormatLen); len(f) > 0 && d.Err == nil {
		if string(f) != string(e.Format) {
			rf, err := format.ParseFormat(string(f))
			if err != nil {
				d.Fail("%v", err)
			}
			e.Format = rf
		}
	} else if e.Format == "" {
		d.Fail("missing format")
	}
	prevMax := e.MaxTS
	e.Off, e.Len, e.Rows = d.Uvarint(), d.Uvarint(), d.Count(1, MaxBlockRows, "rows")
	e.MinTS = d.Uvarint()
	span := d.Uvarint()
	e.MaxTS = e.MinTS + span
	c.checkEntry(key, cmp, prevMax)
	e.Key = key
	c.left--
	if c.left == 0 && d.Err == nil {
		return d.Done()
	}
	return d.Err
}

func (c *Cursor) checkEntry(key []byte, cmp int, prevMax uint64) {
	d, e := &c.d, &c.e
	if d.Err != nil {
		return
	}
	top := c.s.f.topOff
	switch {
	case e.Off < headerSize || e.Len < 6 || e.Len > top || e.Off > top-e.Len:
		d.Fail("block of key %q out of range", key)
	case e.MaxTS < e.MinTS:
		d.Fail("block of key %q: time range overflows", key)
	case len(e.Key) > 0 && (cmp > 0 || cmp == 0 && e.MinTS <= prevMax):
		d.Fail("key %q out of order", key)
	case len(e.Key) == 0 && c.hasPrev && outOfOrder(c.prevKey, c.prevMax, key, e.MinTS):
		d.Fail("key %q out of order after the previous page's %q", key, c.prevKey)
	}
}

// outOfOrder reports whether an entry of key from time minTS may not
// follow one of prevKey up to time prevMax.
func outOfOrder(prevKey []byte, prevMax uint64, key []byte, minTS uint64) bool {
	c := bytes.Compare(prevKey, key)
	return c > 0 || c == 0 && minTS <= prevMax
}

// BlockReader reads and decodes blocks, keeping scratch memory between
// calls. Use one per goroutine.
type BlockReader struct {
	dec blockDecoder
	raw []byte
}

// Read decodes the block that e describes into dst.
func (br *BlockReader) Read(s *Reader, e *IndexEntry, dst *format.Block) error {
	from := e.Off
	if from == headerSize && !s.headerOK.Load() {
		from = 0 // the first block: check the header, in the same read
	}
	n := int(e.Off + e.Len - from)
	if cap(br.raw) < n {
		br.raw = make([]byte, n)
	}
	raw := br.raw[:n]
	if err := s.readAt(raw, int64(from), "block"); err != nil {
		return err
	}
	if from == 0 {
		if err := s.checkHeader(raw[:headerSize]); err != nil {
			return err
		}
		raw = raw[headerSize:]
	}
	if err := br.dec.decode(dst, raw, int64(e.Off), e.Rows, e.Key, e.Format); err != nil {
		return err
	}
	return checkTimes(dst.Times, e)
}

// checkTimes verifies that decoded timestamps match the index entry, so
// that a damaged block is never merged as wrong data. That they increase
// strictly, codec.DecodeTimes has already checked.
func checkTimes(ts []uint64, e *IndexEntry) error {
	if len(ts) != e.Rows || ts[0] != e.MinTS || ts[len(ts)-1] != e.MaxTS {
		return fmt.Errorf("%w: block at offset %d: timestamps disagree with the index", ErrCorrupt, e.Off)
	}
	return nil
}
