package parquet

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	pqformat "github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"
)

// The compression codecs of pages. chime writes zstd; it reads what
// DuckDB, pandas (pyarrow), Spark and others write: uncompressed, snappy,
// gzip, brotli, zstd, LZ4_RAW and Hadoop's LZ4. Each decompresses into at
// most the size the page header declares (itself at most maxPageBytes),
// so a damaged page cannot make chime allocate more. The coders are made
// on first use: chime's start-up pays nothing for them.

// zstdEncoder compresses pages, shared by the writer's workers (EncodeAll
// is safe for concurrent use).
var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil,
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderCRC(false))
	if err != nil {
		panic(err) // only for bad options
	}
	return e
})

// zstdDecoder decompresses pages.
var zstdDecoder = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxPageBytes))
	if err != nil {
		panic(err) // only for bad options
	}
	return d
})

// decompress returns the size bytes that src holds compressed with codec.
func decompress(codec pqformat.CompressionCodec, src []byte, size int) ([]byte, error) {
	var out []byte
	var err error
	if len(src) == 0 && size == 0 {
		return nil, nil
	}
	switch codec {
	case pqformat.Uncompressed:
		out = src
	case pqformat.Snappy:
		out, err = unsnappy(src, size)
	case pqformat.Gzip:
		var r *gzip.Reader
		if r, err = gzip.NewReader(bytes.NewReader(src)); err == nil {
			out, err = readAtMost(r, size)
		}
	case pqformat.Brotli:
		out, err = readAtMost(brotli.NewReader(bytes.NewReader(src)), size)
	case pqformat.Zstd:
		out, err = unzstd(src, size)
	case pqformat.Lz4Raw:
		out, err = unlz4(src, size)
	case pqformat.Lz4:
		out, err = unlz4Hadoop(src, size)
	default:
		return nil, fmt.Errorf("compression %s is not one chime reads", codec)
	}
	if err != nil {
		return nil, fmt.Errorf("decompress %s page: %w", codec, err)
	}
	if len(out) != size {
		return nil, fmt.Errorf("%s page of %d bytes, its header says %d", codec, len(out), size)
	}
	return out, nil
}

// unzstd decodes zstd frames, checking the first one's declared size
// first.
func unzstd(src []byte, size int) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return nil, err
	}
	if h.HasFCS && h.FrameContentSize > uint64(size) {
		return nil, fmt.Errorf("zstd frame of %d bytes, its header says %d", h.FrameContentSize, size)
	}
	return zstdDecoder().DecodeAll(src, make([]byte, 0, min(size, 8*len(src)+64)))
}

// maxRatio bounds how many times its size an LZ4 or snappy block may
// decompress to (LZ4's most is 255, snappy's about 22), so that a damaged
// header cannot make chime allocate far more than the page holds.
const maxRatio = 256

// readAtMost reads r to its end, failing past size bytes.
func readAtMost(r io.Reader, size int) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, int64(size)+1))
	if err == nil && n > int64(size) {
		err = fmt.Errorf("more than the %d bytes of its header", size)
	}
	return buf.Bytes(), err
}

// unsnappy decodes a snappy block, checking its declared length first.
func unsnappy(src []byte, size int) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	if n != size || n > maxRatio*len(src)+64 {
		return nil, fmt.Errorf("snappy block of %d bytes, its header says %d", n, size)
	}
	return snappy.Decode(make([]byte, n), src)
}

// unlz4 decodes an LZ4 block of size bytes.
func unlz4(src []byte, size int) ([]byte, error) {
	if size > maxRatio*len(src)+64 {
		return nil, fmt.Errorf("LZ4 block of %d bytes cannot hold %d", len(src), size)
	}
	out := make([]byte, size)
	n, err := lz4.UncompressBlock(src, out)
	return out[:n], err
}

// unlz4Hadoop decodes Hadoop's LZ4 framing (blocks each preceded by their
// decompressed and compressed lengths, big-endian), which parquet-mr and
// old Arrow write as LZ4; a page that is not framed so is one raw block.
func unlz4Hadoop(src []byte, size int) ([]byte, error) {
	if size > maxRatio*len(src)+64 {
		return nil, fmt.Errorf("LZ4 page of %d bytes cannot hold %d", len(src), size)
	}
	out := make([]byte, 0, size)
	rest := src
	for len(rest) >= 8 {
		dlen, clen := binary.BigEndian.Uint32(rest), binary.BigEndian.Uint32(rest[4:])
		if uint64(clen) > uint64(len(rest)-8) || uint64(dlen) > uint64(size-len(out)) {
			break
		}
		n, err := lz4.UncompressBlock(rest[8:8+clen], out[len(out):len(out)+int(dlen)])
		if err != nil || n != int(dlen) {
			break
		}
		out, rest = out[:len(out)+n], rest[8+clen:]
	}
	if len(rest) == 0 && len(out) == size {
		return out, nil
	}
	return unlz4(src, size)
}
