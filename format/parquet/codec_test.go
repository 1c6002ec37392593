package parquet

import (
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/klauspost/compress/snappy"
	pqformat "github.com/parquet-go/parquet-go/format"
)

// TestDecompress_Bounded gives each codec a small page whose header
// declares a huge size: an error, without allocating that size.
func TestDecompress_Bounded(t *testing.T) {
	plain := bytes.Repeat([]byte("chime "), 100)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	pages := map[pqformat.CompressionCodec][]byte{
		pqformat.Uncompressed: plain,
		pqformat.Snappy:       snappy.Encode(nil, plain),
		pqformat.Gzip:         gz.Bytes(),
		pqformat.Zstd:         zstdEncoder().EncodeAll(plain, nil),
		pqformat.Lz4Raw:       {0x1f, 'a', 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00}, // a literal, then a long match
		pqformat.Lz4:          {0, 0, 0, 9, 0, 0, 0, 1, 0x90},
		pqformat.Brotli:       {0x1b, 0xff, 0xff},
	}
	for codec, page := range pages {
		for _, size := range []int{len(plain) - 1, maxPageBytes} {
			var err error
			if n := allocated(func() { _, err = decompress(codec, page, size) }); n > 1<<20 {
				t.Errorf("%s, %d bytes declared: allocated %d bytes", codec, size, n)
			}
			if err == nil {
				t.Errorf("%s, %d bytes declared: no error", codec, size)
			}
		}
		if codec == pqformat.Lz4Raw || codec == pqformat.Lz4 || codec == pqformat.Brotli {
			continue
		}
		if out, err := decompress(codec, page, len(plain)); err != nil || !bytes.Equal(out, plain) {
			t.Errorf("%s: %q, %v", codec, out, err)
		}
	}
}
