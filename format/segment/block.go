package segment

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/wire"
	"github.com/chime-tsdb/chime/format/segment/codec"
	"github.com/klauspost/compress/zstd"
)

const (
	compressNone = 0
	compressZstd = 1
)

// The zstd coders are built on first use, not at init, so that `chime
// --version` and a missing-key read stay at the process start-up floor.
// Both are safe for concurrent EncodeAll/DecodeAll.
var (
	zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
		if err != nil {
			panic(err) // only bad options can fail
		}
		return e
	})
	zstdDecoder = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(MaxBlockBody), zstd.WithDecoderLowmem(true))
		if err != nil {
			panic(err)
		}
		return d
	})
)

// blockEncoder encodes rows of a Block into the on-disk block layout. It
// keeps its scratch buffers between calls; one per goroutine.
type blockEncoder struct {
	body, stream, out []byte
	lens              []uint64
}

// encode returns the on-disk bytes of rows [from, to) of b, valid until
// the next call.
func (e *blockEncoder) encode(b *format.Block, from, to int) []byte {
	e.body = binary.AppendUvarint(e.body[:0], uint64(to-from))
	e.stream = codec.AppendTimes(e.stream[:0], b.Times[from:to])
	e.body = appendUvarintBytes(e.body, e.stream)
	for col := range b.Cols {
		e.appendColumn(b, col, from, to)
	}
	return e.frame()
}

func (e *blockEncoder) appendColumn(b *format.Block, col, from, to int) {
	code := b.Format.Code(col)
	c := &b.Cols[col]
	if !code.Variable() {
		e.stream = codec.AppendNums(e.stream[:0], code, c.Nums[from:to])
		e.body = appendUvarintBytes(e.body, e.stream)
		return
	}
	e.lens = e.lens[:0]
	start := uint32(0)
	if from > 0 {
		start = c.Ends[from-1]
	}
	prev := start
	for _, end := range c.Ends[from:to] {
		e.lens = append(e.lens, uint64(end-prev))
		prev = end
	}
	e.stream = codec.AppendNums(e.stream[:0], format.U64, e.lens)
	e.body = appendUvarintBytes(e.body, e.stream)
	e.body = append(e.body, c.Data[start:prev]...)
}

// frame compresses the body when that makes it smaller and adds the
// compression byte and the CRC.
func (e *blockEncoder) frame() []byte {
	e.out = e.out[:0]
	if len(e.body) >= 64 {
		e.out = append(e.out, compressZstd)
		e.out = binary.AppendUvarint(e.out, uint64(len(e.body)))
		e.out = zstdEncoder().EncodeAll(e.body, e.out)
		if len(e.out) >= len(e.body)+1 {
			e.out = e.out[:0]
		}
	}
	if len(e.out) == 0 {
		e.out = append(e.out, compressNone)
		e.out = append(e.out, e.body...)
	}
	return appendCRC(e.out, 0)
}

// blockDecoder decodes on-disk blocks; it keeps scratch buffers between
// calls, one per goroutine.
type blockDecoder struct {
	body []byte
	lens []uint64
}

// decode checks and decodes raw, the on-disk bytes of a block found at file
// offset off holding rows rows, into dst (which gets key and f).
func (bd *blockDecoder) decode(dst *format.Block, raw []byte, off int64, rows int, key []byte, f format.Format) error {
	framed, err := checkCRC(raw, off, "block")
	if err != nil {
		return err
	}
	body, err := bd.unframe(framed, off)
	if err != nil {
		return err
	}
	d := wire.Reader{Buf: body, What: "block", Base: off}
	if n := d.Count(1, MaxBlockRows, "rows"); d.Err == nil && n != rows {
		d.Fail("%d rows, index says %d", n, rows)
	}
	dst.Reset(key, f)
	if d.Err == nil {
		dst.Times, err = codec.DecodeTimes(dst.Times, d.Bytes(MaxBlockBody), rows)
		d.Wrap(err)
	}
	for col := 0; col < f.Len() && d.Err == nil; col++ {
		bd.decodeColumn(&d, dst, col, rows)
	}
	if err := d.Done(); err != nil {
		dst.Reset(key, f)
		return err
	}
	return nil
}

func (bd *blockDecoder) decodeColumn(d *wire.Reader, dst *format.Block, col, rows int) {
	code := dst.Format.Code(col)
	c := &dst.Cols[col]
	var err error
	if !code.Variable() {
		c.Nums, err = codec.DecodeNums(c.Nums, d.Bytes(MaxBlockBody), code, rows)
		d.Wrap(err)
		return
	}
	bd.lens, err = codec.DecodeNums(bd.lens[:0], d.Bytes(MaxBlockBody), format.U64, rows)
	d.Wrap(err)
	end := uint64(0)
	for _, n := range bd.lens {
		if n > format.MaxValueLen {
			d.Fail("value of %d bytes", n)
			return
		}
		end += n
		c.Ends = append(c.Ends, uint32(end))
	}
	if end > uint64(len(d.Buf)-d.Pos) {
		d.Fail("values of %d bytes past the end", end)
		return
	}
	c.Data = append(c.Data, d.Take(int(end))...)
}

// unframe undoes frame: it returns the block body, decompressing into the
// decoder's scratch buffer when needed.
func (bd *blockDecoder) unframe(framed []byte, off int64) ([]byte, error) {
	d := wire.Reader{Buf: framed, What: "block", Base: off}
	switch c := d.Byte(); c {
	case compressNone:
		return framed[1:], nil
	case compressZstd:
		n := d.Count(1, MaxBlockBody, "body length")
		if d.Err != nil {
			return nil, d.Err
		}
		if cap(bd.body) < n {
			bd.body = make([]byte, 0, n)
		}
		body, err := zstdDecoder().DecodeAll(framed[d.Pos:], bd.body[:0])
		if err != nil || len(body) != n {
			return nil, fmt.Errorf("%w: block at offset %d: bad compressed body (%d of %d bytes): %v", ErrCorrupt, off, len(body), n, err)
		}
		bd.body = body
		return body, nil
	default:
		d.Fail("unknown compression %d", c)
		return nil, d.Err
	}
}
