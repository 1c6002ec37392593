package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	pqformat "github.com/parquet-go/parquet-go/format"
)

// Every length a file declares (the footer's, thrift list sizes and
// string lengths, page sizes, value counts) is checked against the bytes
// that hold it before anything of that length is allocated: a damaged
// file is an error, never a panic or a huge allocation.

// maxPageBytes bounds the uncompressed size of one page, which the reader
// holds whole. Writers use pages of about 1 MiB.
const maxPageBytes = 256 << 20

// readFooter reads and decodes the file metadata, once checkThrift has
// checked its lengths.
func readFooter(r io.ReaderAt, size int64) (meta *pqformat.FileMetaData, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w: %v", ErrFile, err)
		}
	}()
	defer recoverDamage(&err)
	if size < 12 {
		return nil, fmt.Errorf("%d bytes, too short for a Parquet file", size)
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("read footer: %w", err)
	}
	if string(tail[4:]) != "PAR1" {
		return nil, fmt.Errorf("no PAR1 at the end: truncated, or not Parquet")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return nil, fmt.Errorf("footer of %d bytes in a file of %d: truncated", n, size)
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return nil, fmt.Errorf("read footer: %w", err)
	}
	if _, err := checkThrift(footer); err != nil {
		return nil, fmt.Errorf("footer: %w", err)
	}
	meta = new(pqformat.FileMetaData)
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), footer, meta); err != nil {
		return nil, fmt.Errorf("footer: %w", err)
	}
	return meta, nil
}

// flatLeaves returns the columns of a flat schema: a root whose children
// are all leaves, none repeated.
func flatLeaves(schema []pqformat.SchemaElement) ([]leaf, error) {
	if len(schema) == 0 {
		return nil, fmt.Errorf("%w: no schema", ErrFile)
	}
	var leaves []leaf
	for i := 1; i < len(schema); i++ {
		el := &schema[i]
		if el.NumChildren.V > 0 || !el.Type.Valid || el.RepetitionType.Valid && el.RepetitionType.V == pqformat.Repeated {
			return nil, fmt.Errorf("%w: column %q is nested or repeated; chime reads flat files", ErrFile, el.Name)
		}
		if el.Type.V == pqformat.FixedLenByteArray && el.TypeLength.V <= 0 {
			return nil, fmt.Errorf("%w: column %q: FIXED_LEN_BYTE_ARRAY of %d bytes", ErrFile, el.Name, el.TypeLength.V)
		}
		leaves = append(leaves, leaf{name: el.Name, el: el})
	}
	if int(schema[0].NumChildren.V) != len(leaves) {
		return nil, fmt.Errorf("%w: a root of %d columns in a schema of %d", ErrFile, schema[0].NumChildren.V, len(leaves))
	}
	return leaves, nil
}

// checkPage checks the sizes a page header declares.
func checkPage(h *pqformat.PageHeader, rows int64) error {
	switch {
	case h.CompressedPageSize < 0 || h.UncompressedPageSize < 0:
		return errors.New("negative page size")
	case h.UncompressedPageSize > maxPageBytes:
		return fmt.Errorf("page of %d bytes, more than the %d chime reads", h.UncompressedPageSize, maxPageBytes)
	}
	if d := &h.DataPageHeader; d.Valid && (d.V.NumValues < 0 || int64(d.V.NumValues) > rows) {
		return fmt.Errorf("data page of %d values in a row group of %d rows", d.V.NumValues, rows)
	}
	if d := &h.DataPageHeaderV2; d.Valid && (d.V.NumValues < 0 || int64(d.V.NumValues) > rows || d.V.NumNulls < 0 || d.V.NumRows < 0 ||
		d.V.DefinitionLevelsByteLength < 0 || d.V.RepetitionLevelsByteLength < 0 ||
		int64(d.V.DefinitionLevelsByteLength)+int64(d.V.RepetitionLevelsByteLength) > int64(h.CompressedPageSize)) {
		return fmt.Errorf("data page of %d values in a row group of %d rows", d.V.NumValues, rows)
	}
	if d := &h.DictionaryPageHeader; d.Valid && (d.V.NumValues < 0 || d.V.NumValues > h.UncompressedPageSize) {
		return fmt.Errorf("dictionary of %d values in %d bytes", d.V.NumValues, h.UncompressedPageSize)
	}
	return nil
}

// readPageHeader reads, checks and decodes the page header at off.
func readPageHeader(r io.ReaderAt, off, end int64) (pqformat.PageHeader, int, error) {
	var h pqformat.PageHeader
	window := min(end-off, 4096)
	for {
		buf := make([]byte, window)
		if _, err := r.ReadAt(buf, off); err != nil {
			return h, 0, err
		}
		n, err := checkThrift(buf)
		if errors.Is(err, errThriftShort) && window < end-off {
			window = min(end-off, 4*window)
			continue
		}
		if err != nil {
			return h, 0, err
		}
		if err := thrift.Unmarshal(new(thrift.CompactProtocol), buf[:n], &h); err != nil {
			return h, 0, err
		}
		return h, n, nil
	}
}

var errThriftShort = errors.New("thrift structure runs past its bytes")

// checkThrift walks one thrift compact-protocol struct at the start of b
// without allocating, checking that every length and collection size fits
// in the bytes left, and returns its length.
func checkThrift(b []byte) (int, error) {
	t := &thriftCheck{b: b}
	if err := t.structure(0); err != nil {
		return 0, err
	}
	return t.i, nil
}

type thriftCheck struct {
	b []byte
	i int
}

const maxThriftDepth = 32

func (t *thriftCheck) byte() (byte, error) {
	if t.i >= len(t.b) {
		return 0, errThriftShort
	}
	t.i++
	return t.b[t.i-1], nil
}

func (t *thriftCheck) skip(n uint64) error {
	if n > uint64(len(t.b)-t.i) {
		return errThriftShort
	}
	t.i += int(n)
	return nil
}

func (t *thriftCheck) varint() (uint64, error) {
	v, n := binary.Uvarint(t.b[t.i:])
	if n <= 0 {
		if n == 0 {
			return 0, errThriftShort
		}
		return 0, errors.New("thrift varint overflows")
	}
	t.i += n
	return v, nil
}

// structure skips the fields of a struct up to its stop byte.
func (t *thriftCheck) structure(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift structures nested too deep")
	}
	for {
		h, err := t.byte()
		if err != nil {
			return err
		}
		if h == 0 {
			return nil
		}
		if h>>4 == 0 { // long form: the field id follows
			if _, err := t.varint(); err != nil {
				return err
			}
		}
		if typ := h & 0x0f; typ != 1 && typ != 2 { // booleans live in the header
			if err := t.value(typ, depth); err != nil {
				return err
			}
		}
	}
}

// value skips one value of a compact type.
func (t *thriftCheck) value(typ byte, depth int) error {
	switch typ {
	case 1, 2, 3: // a boolean in a collection, or a byte
		return t.skip(1)
	case 4, 5, 6:
		_, err := t.varint()
		return err
	case 7:
		return t.skip(8)
	case 8:
		n, err := t.varint()
		if err != nil {
			return err
		}
		return t.skip(n)
	case 9, 10:
		return t.list(depth)
	case 11:
		return t.dict(depth)
	case 12:
		return t.structure(depth + 1)
	case 13:
		return t.skip(16)
	}
	return fmt.Errorf("thrift type %d is not one of the compact protocol", typ)
}

// list skips a list or set: every element takes at least a byte, so a
// size beyond the bytes left is damage.
func (t *thriftCheck) list(depth int) error {
	h, err := t.byte()
	if err != nil {
		return err
	}
	n := uint64(h >> 4)
	if n == 15 {
		if n, err = t.varint(); err != nil {
			return err
		}
	}
	if n > uint64(len(t.b)-t.i) {
		return errThriftShort
	}
	for range n {
		if err := t.value(h&0x0f, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// dict skips a map.
func (t *thriftCheck) dict(depth int) error {
	n, err := t.varint()
	if err != nil || n == 0 {
		return err
	}
	kv, err := t.byte()
	if err != nil {
		return err
	}
	if n > uint64(len(t.b)-t.i)/2 {
		return errThriftShort
	}
	for range n {
		if err := t.value(kv>>4, depth+1); err != nil {
			return err
		}
		if err := t.value(kv&0x0f, depth+1); err != nil {
			return err
		}
	}
	return nil
}
