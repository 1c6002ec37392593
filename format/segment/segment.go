package segment

import (
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// Kind says what a segment file holds.
type Kind uint8

// The kinds of segment file.
const (
	KindData    Kind = 0 // blocks of rows
	KindMarkers Kind = 1 // delete markers only
)

// String names the kind, as reports print it.
func (k Kind) String() string {
	switch k {
	case KindData:
		return "data"
	case KindMarkers:
		return "markers"
	}
	return "unknown"
}

// Version is the segment layout version this package writes. It reads
// versions 1 and 2 (see doc.go).
const Version = 2

// knownVersion reports whether this package reads version v.
func knownVersion(v uint16) bool { return v == 1 || v == 2 }

// Layout limits. Readers check every count and length against these and
// against the file size before allocating, so a corrupt file cannot make
// them allocate much.
const (
	MaxBlockRows = 65536    // rows in one block (the writer uses BlockRows)
	BlockRows    = 4096     // rows the writer puts in a full block
	MaxBlockBody = 64 << 20 // bytes of one uncompressed block body
	PageEntries  = 256      // index entries per page

	headerSize = 16
	footerSize = 64

	// blockBodyTarget closes a block early when its strings grow large.
	blockBodyTarget = 1 << 20
)

var magic = [8]byte{'C', 'H', 'I', 'M', 'E', 'S', 'E', 'G'}

// castagnoli builds the CRC-32C tables on first use: building them at
// package init would slow every command, `chime --version` included.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// crc is the CRC-32C of b.
func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli()) }

// appendCRC appends the CRC-32C of b[from:] to b.
func appendCRC(b []byte, from int) []byte {
	return binary.LittleEndian.AppendUint32(b, crc(b[from:]))
}

func appendHeader(dst []byte, k Kind, version int) []byte {
	start := len(dst)
	dst = append(dst, magic[:]...)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(version))
	dst = append(dst, byte(k), 0)
	return appendCRC(dst, start)
}

// footer is the fixed trailer of a segment file.
type footer struct {
	topOff, topLen   uint64
	metaOff, metaLen uint64
	rows, blocks     uint64
	kind             Kind
	version          int
}

func (f *footer) append(dst []byte) []byte {
	start := len(dst)
	le := binary.LittleEndian
	for _, v := range [...]uint64{f.topOff, f.topLen, f.metaOff, f.metaLen, f.rows, f.blocks} {
		dst = le.AppendUint64(dst, v)
	}
	dst = append(dst, byte(f.kind), 0)
	dst = le.AppendUint16(dst, uint16(f.version))
	dst = append(dst, magic[:]...)
	return appendCRC(dst, start)
}

func appendUvarintBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}
