package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	pqformat "github.com/parquet-go/parquet-go/format"
)

// values is a batch of rows of one column: row i is null, or its value is
// num[i] (numbers) or b[i] (byte strings, slices of a page).
type values struct {
	null []bool
	num  []uint64
	b    [][]byte
}

// resize makes the batch n rows long.
func (v *values) resize(n int, bytes bool) {
	if cap(v.null) < n {
		v.null = make([]bool, n)
		if bytes {
			v.b = make([][]byte, n)
		} else {
			v.num = make([]uint64, n)
		}
	}
	v.null = v.null[:n]
	if bytes {
		v.b = v.b[:n]
	} else {
		v.num = v.num[:n]
	}
}

// chunkReader reads one column chunk a batch of rows at a time, a page at
// a time: it holds one page, whatever the size of the chunk. Every size a
// page header declares is checked against the bytes that hold it before
// anything is allocated.
type chunkReader struct {
	r        io.ReaderAt
	off, end int64 // the next page, the end of the chunk
	rows     int64 // of the row group, which bounds a page's values
	codec    pqformat.CompressionCodec
	p        physical
	optional bool
	dict     *dictionary
	seenData bool

	left   int            // values (nulls included) left in the page
	defs   *hybridDecoder // definition levels of an optional column
	vals   valueDecoder
	levels []uint64
}

// newChunkReader starts reading the column chunk md of a row group of
// rows rows, in a file of size bytes.
func newChunkReader(r io.ReaderAt, size int64, md *pqformat.ColumnMetaData, l *leaf, rows int64) (*chunkReader, error) {
	if md.Type != l.el.Type.V {
		return nil, fmt.Errorf("column chunk of type %s in a column of type %s", md.Type, l.el.Type.V)
	}
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
		start = md.DictionaryPageOffset
	}
	end := start + md.TotalCompressedSize
	if start < 4 || md.TotalCompressedSize < 0 || end > size || end < start {
		return nil, fmt.Errorf("column chunk at %d of %d bytes lies outside the file", start, md.TotalCompressedSize)
	}
	return &chunkReader{r: r, off: start, end: end, rows: rows, codec: md.Codec, p: l.physical(), optional: l.optional()}, nil
}

// bytes reports whether the column's values are byte strings.
func (c *chunkReader) bytes() bool {
	switch c.p.typ {
	case pqformat.ByteArray, pqformat.FixedLenByteArray, pqformat.Int96:
		return true
	}
	return false
}

// read reads the next n rows into v.
func (c *chunkReader) read(v *values, n int) error {
	v.resize(n, c.bytes())
	for done := 0; done < n; {
		if c.left == 0 {
			if err := c.nextPage(); err != nil {
				return err
			}
			continue
		}
		k := min(n-done, c.left)
		if err := c.readPage(v, done, done+k); err != nil {
			return err
		}
		c.left -= k
		done += k
	}
	return nil
}

// readPage reads rows [from, to) of v from the current page: the
// non-null values are decoded to the front of the range, then moved to
// their rows.
func (c *chunkReader) readPage(v *values, from, to int) error {
	nulls, err := c.readLevels(v.null[from:to])
	if err != nil {
		return err
	}
	m := to - from - nulls
	if c.bytes() {
		err = c.vals.bytes(v.b[from : from+m])
		spread(v.b[from:to], v.null[from:to], m)
	} else {
		err = c.vals.nums(v.num[from : from+m])
		spread(v.num[from:to], v.null[from:to], m)
	}
	return err
}

// spread moves the first m entries of vals to the rows that are not null,
// keeping their order.
func spread[T any](vals []T, null []bool, m int) {
	j := m - 1
	for i := len(vals) - 1; i > j; i-- {
		if !null[i] {
			vals[i] = vals[j]
			j--
		}
	}
}

// readLevels sets null from the definition levels, returning the count of
// nulls.
func (c *chunkReader) readLevels(null []bool) (int, error) {
	if c.defs == nil {
		clear(null)
		return 0, nil
	}
	if cap(c.levels) < len(null) {
		c.levels = make([]uint64, len(null))
	}
	levels := c.levels[:len(null)]
	if err := c.defs.read(levels); err != nil {
		return 0, fmt.Errorf("definition levels: %w", err)
	}
	nulls := 0
	for i, l := range levels {
		if l > 1 {
			return 0, fmt.Errorf("definition level %d in a flat column", l)
		}
		null[i] = l == 0
		nulls += int(1 - l)
	}
	return nulls, nil
}

var errChunkEnd = errors.New("column chunk ends early")

// nextPage reads the next page header and page: a dictionary is kept,
// a data page becomes the current page, others are skipped.
func (c *chunkReader) nextPage() error {
	if c.off >= c.end {
		return errChunkEnd
	}
	h, hlen, err := readPageHeader(c.r, c.off, c.end)
	if err != nil {
		return fmt.Errorf("page header at %d: %w", c.off, err)
	}
	if err := checkPage(&h, c.rows); err != nil {
		return fmt.Errorf("page at %d: %w", c.off, err)
	}
	at := c.off + int64(hlen)
	if int64(h.CompressedPageSize) > c.end-at {
		return fmt.Errorf("page at %d of %d bytes runs past its column chunk", c.off, h.CompressedPageSize)
	}
	c.off = at + int64(h.CompressedPageSize)
	switch h.Type {
	case pqformat.DictionaryPage:
		return c.readDictionary(&h, at)
	case pqformat.DataPage, pqformat.DataPageV2:
		body := make([]byte, h.CompressedPageSize)
		if _, err := c.r.ReadAt(body, at); err != nil {
			return fmt.Errorf("read page at %d: %w", at, err)
		}
		c.seenData = true
		if h.Type == pqformat.DataPage {
			return c.startV1(&h, body)
		}
		return c.startV2(&h, body)
	}
	return nil
}

func (c *chunkReader) readDictionary(h *pqformat.PageHeader, at int64) error {
	if c.dict != nil || c.seenData || !h.DictionaryPageHeader.Valid {
		return errors.New("dictionary page after the first page")
	}
	body := make([]byte, h.CompressedPageSize)
	if _, err := c.r.ReadAt(body, at); err != nil {
		return fmt.Errorf("read dictionary page at %d: %w", at, err)
	}
	data, err := decompress(c.codec, body, int(h.UncompressedPageSize))
	if err != nil {
		return err
	}
	d := &h.DictionaryPageHeader.V
	if d.Encoding != pqformat.Plain && d.Encoding != pqformat.PlainDictionary {
		return fmt.Errorf("dictionary page encoded %s", d.Encoding)
	}
	c.dict, err = readDictionary(data, int(d.NumValues), c.p)
	return err
}

// startV1 starts a data page of version 1: levels and values compressed
// together, each level stream preceded by its length.
func (c *chunkReader) startV1(h *pqformat.PageHeader, body []byte) error {
	if !h.DataPageHeader.Valid {
		return errors.New("data page without its header")
	}
	d := &h.DataPageHeader.V
	data, err := decompress(c.codec, body, int(h.UncompressedPageSize))
	if err != nil {
		return err
	}
	c.defs = nil
	if c.optional {
		if d.DefinitionLevelEncoding != pqformat.RLE {
			return fmt.Errorf("definition levels encoded %s", d.DefinitionLevelEncoding)
		}
		if len(data) < 4 || uint64(binary.LittleEndian.Uint32(data)) > uint64(len(data)-4) {
			return fmt.Errorf("definition levels: %w", errShort)
		}
		n := 4 + int(binary.LittleEndian.Uint32(data))
		if c.defs, err = newHybridDecoder(data[4:n], 1); err != nil {
			return err
		}
		data = data[n:]
	}
	return c.startValues(d.Encoding, data, int(d.NumValues))
}

// startV2 starts a data page of version 2: levels uncompressed, then the
// values, compressed unless the header says otherwise.
func (c *chunkReader) startV2(h *pqformat.PageHeader, body []byte) error {
	if !h.DataPageHeaderV2.Valid {
		return errors.New("data page without its header")
	}
	d := &h.DataPageHeaderV2.V
	levels := int(d.RepetitionLevelsByteLength) + int(d.DefinitionLevelsByteLength) // at most the page's bytes: checkPage
	if int(h.UncompressedPageSize) < levels {
		return fmt.Errorf("page of %d bytes with %d bytes of levels", h.UncompressedPageSize, levels)
	}
	c.defs = nil
	if c.optional {
		var err error
		if c.defs, err = newHybridDecoder(body[d.RepetitionLevelsByteLength:levels], 1); err != nil {
			return err
		}
	}
	data := body[levels:]
	if !d.IsCompressed.Valid || d.IsCompressed.V {
		var err error
		if data, err = decompress(c.codec, data, int(h.UncompressedPageSize)-levels); err != nil {
			return err
		}
	}
	return c.startValues(d.Encoding, data, int(d.NumValues))
}

func (c *chunkReader) startValues(enc pqformat.Encoding, data []byte, n int) error {
	vals, err := newValueDecoder(enc, c.p, data, n, c.dict)
	if err != nil {
		return err
	}
	c.vals, c.left = vals, n
	return nil
}
