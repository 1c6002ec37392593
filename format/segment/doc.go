// Package segment is chime's on-disk file: the layout shared by `main` and
// every `tx.*` file, its Writer (rows in, bytes out, streaming) and its
// Reader (the footer and indexes on open, blocks on demand, every part
// checked). The column streams inside blocks are package codec's. Nothing
// here touches the file system: segments are written to an io.Writer and
// read from an io.ReaderAt.
//
// # Segment file
//
// All integers are little-endian. "uvarint" is encoding/binary's unsigned
// varint (at most 10 bytes). Every CRC is CRC-32C (Castagnoli) and covers
// exactly the bytes of its structure that precede it. An empty (0-byte) file
// is a valid, empty data segment: sonnerie users create a database with
// `touch db/main`.
//
//	+-----------------------------+ offset 0
//	| header            16 bytes  |
//	+-----------------------------+
//	| block                       |  data blocks, in (key, time) order
//	| block ...                   |
//	+-----------------------------+
//	| index page                  |  the index region: every page, back
//	| index page ...              |  to back, after the last block (the
//	+-----------------------------+  writer sets them aside meanwhile)
//	| top index                   |
//	+-----------------------------+
//	| meta                        |  identity, included list, markers
//	+-----------------------------+
//	| footer            64 bytes  |
//	+-----------------------------+ size
//
// The index region, top index, meta and footer are the file's tail: one
// read of it is enough to list the file's keys and count its rows, which
// on object storage is one ranged GET (see Reader.PrefetchIndex).
//
// Header:
//
//	0      8  magic "CHIMESEG"
//	8      2  version (currently 2; readers take 1 and 2 and refuse others)
//	10     1  kind: 0 data, 1 delete markers
//	11     1  reserved, 0
//	12     4  CRC of bytes 0..12
//
// Footer (the last 64 bytes; opening a file reads only this and the top
// index):
//
//	0      8  offset of the top index
//	8      8  length of the top index
//	16     8  offset of the meta section
//	24     8  length of the meta section
//	32     8  number of rows in all blocks
//	40     8  number of blocks
//	48     1  kind (must equal the header's)
//	49     1  reserved, 0
//	50     2  version (must equal the header's)
//	52     8  magic "CHIMESEG"
//	60     4  CRC of bytes 0..60
//
// Block: the rows of one key and one format, at most MaxBlockRows rows,
// columnar. On disk:
//
//	1       compression: 0 none, 1 zstd
//	uvarint length of the uncompressed body (only when compressed;
//	        at most MaxBlockBody)
//	...     body, or its zstd frame
//	4       CRC of everything above
//
// Body:
//
//	uvarint rows (1..MaxBlockRows; must equal the index entry's count)
//	uvarint length, then the timestamp stream (codec.AppendTimes)
//	for each column of the format:
//	  numeric: uvarint length, then the stream (codec.AppendNums with the code)
//	  s, B:    uvarint length, then the lengths of the values as a u64
//	           stream (codec.AppendNums with U); then the values back to back
//	           (their total must equal the sum of the lengths)
//
// The first byte of every stream names its codec; package codec documents
// each codec's layout. A block is stored compressed only when zstd makes it
// smaller.
//
// Index page: the index entries of up to PageEntries consecutive blocks,
// self-contained (the first entry shares no key prefix):
//
//	uvarint number of entries (1..PageEntries)
//	per entry:
//	  uvarint bytes of key shared with the previous entry's key
//	  uvarint length of the rest of the key, then those bytes
//	  uvarint format length, then the format (0: same as previous entry)
//	  uvarint block offset, uvarint block length (bytes on disk)
//	  uvarint rows, uvarint min timestamp, uvarint max - min timestamp
//	4       CRC of the page
//
// Entries are in (key, min timestamp) order, within a page and across
// pages (readers check both), and keys are 1..MaxKeyLen bytes; blocks of
// one key never overlap in time.
//
// Top index: one entry per index page, so that a key is found by binary
// search over the top index and then one page:
//
//	uvarint number of pages
//	per page: uvarint length of its first key, the key; uvarint page
//	          offset, uvarint page length, uvarint number of entries
//	4       CRC of the top index
//
// Meta:
//
//	16      file ID: 128 random bits, the file's identity for good
//	uvarint generation: of a main, its own; of a minor compaction output,
//	        that of the main it was planned on; otherwise 0
//	uvarint high-water mark: of a main, the highest transaction position
//	        it holds or ever held (every main carries it forward);
//	        otherwise 0
//	uvarint number of included files; each: uvarint length, name (at
//	        most 255 bytes), 16 bytes of its file ID
//	uvarint number of delete markers; each:
//	  1 flags: bit 0 key filter, 1 after-key, 2 before-key,
//	           3 after-time, 4 before-time
//	  for each flag set, in that order: a uvarint length and bytes for
//	  the three key fields, a uvarint for the two times
//	4       CRC of the meta section
//
// The included list names the files whose rows a compaction output
// already holds (an explicit list of names and IDs, never a range): a
// reader hides a file only when both its name and its ID match, so that a
// name reused by a writer with a stale listing is never hidden by mistake.
// How the names, generations and high-water marks make the commit
// protocol is tsdb's (see package tsdb's documentation).
//
// # Versions
//
// Version 1, which databases written before chime's storage seam hold,
// differs in two places: its index pages lie between the blocks, each
// written as soon as it filled, and its meta section has no file ID,
// generation or high-water mark, and names only in its included list
// (readers give them zero IDs, which match any file of the name).
// Readers take both versions; writers write version 2.
//
// A change of any layout above bumps the version, except the header's,
// which stays the same in every version so that its CRC tells a file of
// another version from a damaged version field. A reader refuses versions
// it does not know with ErrVersion, and refuses any CRC mismatch,
// out-of-range offset or length, or impossible count with ErrCorrupt, naming
// the offset. Lengths are checked against the file size before anything is
// allocated.
package segment
