package segment

import (
	"bytes"
	"cmp"
	"fmt"

	"github.com/chime-tsdb/chime/format"
)

// KeyRange is the first and last key of a segment's index.
type KeyRange struct {
	First, Last []byte
	// OK is false when the index could not be read to its end, or holds no
	// entry.
	OK bool
}

// Verify checks everything a segment holds beyond what Open checks: the
// header; the whole index, its entries in (key, time) order within and
// across pages, their blocks laid out in index order without overlap;
// every block decoded (its CRC, row count and timestamps against its
// entry); the footer's row count; no block in a marker file. It returns
// the index's key range, which it still reads after a damaged block, for
// reports of what a damaged file held. Every error wraps ErrCorrupt or
// ErrVersion.
func (s *Reader) Verify() (KeyRange, error) {
	var keys KeyRange
	if err := s.CheckHeader(); err != nil {
		return keys, err
	}
	var (
		br               BlockReader
		b                format.Block
		prevKey          []byte
		prevMax, prevEnd uint64
		entries, rows    uint64
		firstErr         error
	)
	s.PrefetchIndex()
	c := s.Seek(nil)
	for c.Next() {
		e := c.Entry()
		if entries == 0 {
			keys.First = bytes.Clone(e.Key)
		} else if firstErr == nil {
			firstErr = checkEntryOrder(e, prevKey, prevMax, prevEnd)
		}
		if firstErr == nil {
			firstErr = br.Read(s, e, &b)
		}
		prevKey, prevMax, prevEnd = append(prevKey[:0], e.Key...), e.MaxTS, e.Off+e.Len
		entries++
		rows += uint64(e.Rows)
	}
	if err := c.Err(); err != nil {
		return keys, cmp.Or(firstErr, err)
	}
	keys.Last, keys.OK = bytes.Clone(prevKey), entries > 0
	switch {
	case firstErr != nil:
		return keys, firstErr
	case rows != s.Rows():
		return keys, fmt.Errorf("%w: the index counts %d rows, the footer says %d", ErrCorrupt, rows, s.Rows())
	case s.Kind() == KindMarkers && entries > 0:
		return keys, fmt.Errorf("%w: a delete-marker file with %d blocks", ErrCorrupt, entries)
	}
	return keys, nil
}

// checkEntryOrder verifies that entry e may follow the previous one:
// keys in order, blocks of one key in time order without overlap, and
// blocks laid out in index order.
func checkEntryOrder(e *IndexEntry, prevKey []byte, prevMax, prevEnd uint64) error {
	switch c := bytes.Compare(prevKey, e.Key); {
	case c > 0:
		return fmt.Errorf("%w: index entry of the block at offset %d: key %q comes after key %q", ErrCorrupt, e.Off, e.Key, prevKey)
	case c == 0 && e.MinTS <= prevMax:
		return fmt.Errorf("%w: index entry of the block at offset %d: key %q: time %d is not after the previous block's %d", ErrCorrupt, e.Off, e.Key, e.MinTS, prevMax)
	case e.Off < prevEnd:
		return fmt.Errorf("%w: block at offset %d overlaps the block before it (which ends at offset %d)", ErrCorrupt, e.Off, prevEnd)
	}
	return nil
}
