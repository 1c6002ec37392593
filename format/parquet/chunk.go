package parquet

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	pqformat "github.com/parquet-go/parquet-go/format"

	"github.com/chime-tsdb/chime/format"
)

// The column chunks chime writes: data pages of version 2 (definition
// levels uncompressed, values compressed with zstd) of at most pageRows
// rows and about pageBytes of values; key as a dictionary page of PLAIN
// strings and RLE_DICTIONARY indices, ts and integers DELTA_BINARY_PACKED,
// floats and byte strings PLAIN. Every page and chunk has min/max
// statistics and its count of nulls.

const (
	pageRows  = 1 << 15
	pageBytes = 1 << 20
)

// chunk is an encoded column chunk: its pages, and its metadata with
// offsets counted from the chunk's start (the committer makes them
// absolute).
type chunk struct {
	data []byte
	meta pqformat.ColumnMetaData
}

// chunkWriter encodes the pages of one column chunk.
type chunkWriter struct {
	chunk
	stats minMax
	nulls int64
	pages int32
	zbuf  []byte
}

func newChunkWriter(name string, typ pqformat.Type, stats minMax, encodings ...pqformat.Encoding) *chunkWriter {
	return &chunkWriter{
		chunk: chunk{meta: pqformat.ColumnMetaData{Type: typ, Encoding: encodings, PathInSchema: []string{name}, Codec: pqformat.Zstd}},
		stats: stats,
	}
}

// page appends a data page of n rows, nulls of them null: levels are the
// definition levels (nil for a required column), values the encoded
// non-null values, st their statistics.
func (cw *chunkWriter) page(levels, values []byte, n, nulls int, enc pqformat.Encoding, st *minMax) error {
	cw.zbuf = zstdEncoder().EncodeAll(values, cw.zbuf[:0])
	h := pqformat.PageHeader{
		Type:                 pqformat.DataPageV2,
		UncompressedPageSize: int32(len(levels) + len(values)),
		CompressedPageSize:   int32(len(levels) + len(cw.zbuf)),
		DataPageHeaderV2: thrift.New(pqformat.DataPageHeaderV2{
			NumValues: int32(n), NumNulls: int32(nulls), NumRows: int32(n), Encoding: enc,
			DefinitionLevelsByteLength: int32(len(levels)),
			IsCompressed:               thrift.New(true),
			Statistics:                 st.statistics(int64(nulls)),
		}),
	}
	if err := cw.header(&h); err != nil {
		return err
	}
	cw.data = append(append(cw.data, levels...), cw.zbuf...)
	cw.meta.NumValues += int64(n)
	cw.nulls += int64(nulls)
	cw.stats.merge(st)
	cw.pages++
	return nil
}

// header appends a page header and counts the page's sizes.
func (cw *chunkWriter) header(h *pqformat.PageHeader) error {
	hb, err := thrift.Marshal(new(thrift.CompactProtocol), h)
	if err != nil {
		return fmt.Errorf("encode page header: %w", err)
	}
	cw.data = append(cw.data, hb...)
	cw.meta.TotalUncompressedSize += int64(len(hb)) + int64(h.UncompressedPageSize)
	cw.meta.TotalCompressedSize += int64(len(hb)) + int64(h.CompressedPageSize)
	return nil
}

// finish completes the metadata.
func (cw *chunkWriter) finish(enc pqformat.Encoding) chunk {
	cw.meta.Statistics = cw.stats.statistics(cw.nulls)
	cw.meta.EncodingStats = append(cw.meta.EncodingStats, pqformat.PageEncodingStats{PageType: pqformat.DataPageV2, Encoding: enc, Count: cw.pages})
	return cw.chunk
}

// keyChunk encodes the key column of blocks: a dictionary of the keys in
// order of appearance, then runs of indices (a block is one run).
func keyChunk(blocks []*format.Block) (chunk, error) {
	cw := newChunkWriter(KeyColumn, pqformat.ByteArray, minMax{kind: statBytes}, pqformat.Plain, pqformat.RLEDictionary)
	dict := map[string]uint64{}
	var plain []byte
	var runs []run
	n := 0
	st := minMax{kind: statBytes}
	flush := func() error {
		width := max(1, bitWidth(uint64(len(dict)-1)))
		e := newHybridEncoder([]byte{byte(width)}, width)
		for _, r := range runs {
			e.run(r.v, r.n)
		}
		err := cw.page(nil, e.finish(), n, 0, pqformat.RLEDictionary, &st)
		runs, n, st = runs[:0], 0, minMax{kind: statBytes}
		return err
	}
	for _, b := range blocks {
		idx, ok := dict[string(b.Key)]
		if !ok {
			idx = uint64(len(dict))
			dict[string(b.Key)] = idx
			plain = binary.LittleEndian.AppendUint32(plain, uint32(len(b.Key)))
			plain = append(plain, b.Key...)
		}
		for rows := b.Len(); rows > 0; {
			k := min(rows, pageRows-n)
			runs = append(runs, run{idx, k})
			st.bytes(b.Key)
			n, rows = n+k, rows-k
			if n == pageRows {
				if err := flush(); err != nil {
					return chunk{}, err
				}
			}
		}
	}
	if n > 0 {
		if err := flush(); err != nil {
			return chunk{}, err
		}
	}
	return cw.withDictionary(plain, len(dict))
}

// run is n copies of v.
type run struct {
	v uint64
	n int
}

// withDictionary puts the dictionary page before the data pages.
func (cw *chunkWriter) withDictionary(plain []byte, count int) (chunk, error) {
	pages := cw.data
	cw.data = nil
	cw.zbuf = zstdEncoder().EncodeAll(plain, cw.zbuf[:0])
	h := pqformat.PageHeader{
		Type:                 pqformat.DictionaryPage,
		UncompressedPageSize: int32(len(plain)),
		CompressedPageSize:   int32(len(cw.zbuf)),
		DictionaryPageHeader: thrift.New(pqformat.DictionaryPageHeader{NumValues: int32(count), Encoding: pqformat.Plain}),
	}
	if err := cw.header(&h); err != nil {
		return chunk{}, err
	}
	cw.data = append(cw.data, cw.zbuf...)
	cw.meta.DataPageOffset = int64(len(cw.data))
	cw.data = append(cw.data, pages...)
	cw.meta.EncodingStats = []pqformat.PageEncodingStats{{PageType: pqformat.DictionaryPage, Encoding: pqformat.Plain, Count: 1}}
	return cw.finish(pqformat.RLEDictionary), nil
}

// timeChunk encodes the ts column of blocks.
func timeChunk(blocks []*format.Block) (chunk, error) {
	newStats := func() minMax { return minMax{kind: statSigned, width: 8} }
	cw := newChunkWriter(TimeColumn, pqformat.Int64, newStats(), pqformat.DeltaBinaryPacked)
	vals := make([]int64, 0, pageRows)
	st := newStats()
	var buf []byte
	flush := func() error {
		buf = appendDelta(buf[:0], vals, false)
		err := cw.page(nil, buf, len(vals), 0, pqformat.DeltaBinaryPacked, &st)
		vals, st = vals[:0], newStats()
		return err
	}
	for _, b := range blocks {
		for _, t := range b.Times {
			vals = append(vals, int64(t))
			st.num(t)
			if len(vals) == pageRows {
				if err := flush(); err != nil {
					return chunk{}, err
				}
			}
		}
	}
	if len(vals) > 0 {
		if err := flush(); err != nil {
			return chunk{}, err
		}
	}
	return cw.finish(pqformat.DeltaBinaryPacked), nil
}

// valueChunk encodes value column c of blocks: null where a block's rows
// are narrower than the column.
func valueChunk(blocks []*format.Block, c ValueColumn) (chunk, error) {
	p := newValuePage(c)
	el := leafOf(c.Code)
	cw := newChunkWriter(c.Name(), el.Type.V, p.newStats(), pqformat.RLE, p.enc)
	for _, b := range blocks {
		present := c.Index < len(b.Cols)
		for from := 0; from < b.Len(); {
			k := min(b.Len()-from, pageRows-p.rows)
			if present && c.Code.Variable() {
				k = 1 // a row at a time, to cut pages by bytes
			}
			p.add(b, from, from+k, present)
			from += k
			if p.rows == pageRows || len(p.vals) >= pageBytes {
				if err := p.flush(cw); err != nil {
					return chunk{}, err
				}
			}
		}
	}
	if p.rows > 0 {
		if err := p.flush(cw); err != nil {
			return chunk{}, err
		}
	}
	return cw.finish(p.enc), nil
}

// valuePage is the page being filled of a value column.
type valuePage struct {
	c     ValueColumn
	enc   pqformat.Encoding
	rows  int
	nulls int
	defs  []run
	ints  []int64 // integer columns, before DELTA_BINARY_PACKED
	vals  []byte  // PLAIN values of the other columns
	st    minMax
	buf   []byte
}

func newValuePage(c ValueColumn) *valuePage {
	p := &valuePage{c: c, enc: pqformat.Plain}
	switch c.Code {
	case format.U32, format.U64, format.I32, format.I64:
		p.enc = pqformat.DeltaBinaryPacked
	}
	p.st = p.newStats()
	return p
}

func (p *valuePage) newStats() minMax {
	switch p.c.Code {
	case format.U32:
		return minMax{kind: statUnsigned, width: 4}
	case format.U64:
		return minMax{kind: statUnsigned, width: 8}
	case format.I32:
		return minMax{kind: statSigned, width: 4}
	case format.I64:
		return minMax{kind: statSigned, width: 8}
	case format.F32:
		return minMax{kind: statFloat, width: 4}
	case format.F64:
		return minMax{kind: statDouble, width: 8}
	}
	return minMax{kind: statBytes}
}

// add adds rows [from, to) of b, null unless present.
func (p *valuePage) add(b *format.Block, from, to int, present bool) {
	level := uint64(0)
	if present {
		level = 1
	}
	if n := len(p.defs); n > 0 && p.defs[n-1].v == level {
		p.defs[n-1].n += to - from
	} else {
		p.defs = append(p.defs, run{level, to - from})
	}
	p.rows += to - from
	if !present {
		p.nulls += to - from
		return
	}
	for i := from; i < to; i++ {
		p.value(b, i)
	}
}

// value adds the value of row i of b, converted to the column's type
// (widened when the row's own code is narrower, see Widen).
func (p *valuePage) value(b *format.Block, i int) {
	c := p.c
	from := b.Format.Code(c.Index)
	if from.Variable() {
		v := b.Bytes(c.Index, i)
		p.vals = binary.LittleEndian.AppendUint32(p.vals, uint32(len(v)))
		p.vals = append(p.vals, v...)
		p.st.bytes(v)
		return
	}
	num := b.Cols[c.Index].Nums[i]
	switch c.Code {
	case format.U32:
		p.ints = append(p.ints, int64(int32(uint32(num))))
		p.st.num(uint64(uint32(num)))
	case format.I32:
		p.ints = append(p.ints, int64(int32(num)))
		p.st.num(uint64(int64(int32(num))))
	case format.U64, format.I64:
		p.ints = append(p.ints, int64(num))
		p.st.num(num)
	case format.F32:
		p.vals = binary.LittleEndian.AppendUint32(p.vals, uint32(num))
		p.st.num(uint64(uint32(num)))
	default:
		bits := math.Float64bits(from.AsFloat64(num))
		p.vals = binary.LittleEndian.AppendUint64(p.vals, bits)
		p.st.num(bits)
	}
}

// flush writes the page to cw and empties it.
func (p *valuePage) flush(cw *chunkWriter) error {
	e := newHybridEncoder(p.buf[:0], 1)
	for _, r := range p.defs {
		e.run(r.v, r.n)
	}
	levels := e.finish()
	vals := p.vals
	if p.enc == pqformat.DeltaBinaryPacked {
		vals = appendDelta(vals[:0], p.ints, p.c.Code == format.U32 || p.c.Code == format.I32)
	}
	err := cw.page(levels, vals, p.rows, p.nulls, p.enc, &p.st)
	p.buf, p.vals = levels, vals[:0]
	p.rows, p.nulls, p.defs, p.ints, p.st = 0, 0, p.defs[:0], p.ints[:0], p.newStats()
	return err
}
