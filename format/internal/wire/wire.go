// Package wire reads the varint structures of chime's binary formats, the
// segment layout and the column streams inside it, with a sticky error:
// after the first problem every call returns zero values, and Err says
// what went wrong and where. Nothing it reads is copied: Take and Bytes
// return sub-slices of the buffer.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error of a Reader: bytes a writer cannot
// have produced. Package segment names it segment.ErrCorrupt, chime's one
// corruption sentinel, and package codec codec.ErrCorrupt.
var ErrCorrupt = errors.New("corrupt")

// Reader reads Buf from Pos on.
type Reader struct {
	Buf []byte
	Pos int
	// What is read ("index page") and Base the file offset of Buf[0],
	// for messages; with What empty (a column stream, whose caller adds
	// where it is) messages say neither.
	What string
	Base int64
	Err  error
}

// Fail records the first problem.
func (r *Reader) Fail(format string, args ...any) {
	if r.Err != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if r.What == "" {
		r.Err = fmt.Errorf("%w: %s", ErrCorrupt, msg)
		return
	}
	r.Err = fmt.Errorf("%w: %s at offset %d: %s", ErrCorrupt, r.What, r.Base+int64(r.Pos), msg)
}

// Wrap records err, the error of a nested decoder, as the Reader's with
// the Reader's place.
func (r *Reader) Wrap(err error) {
	if err != nil && r.Err == nil {
		r.Err = fmt.Errorf("%s at offset %d: %w", r.What, r.Base, err)
	}
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.Err != nil || r.Pos >= len(r.Buf) {
		r.Fail("unexpected end")
		return 0
	}
	b := r.Buf[r.Pos]
	r.Pos++
	return b
}

// Uvarint reads one uvarint.
func (r *Reader) Uvarint() uint64 {
	if r.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.Buf[r.Pos:])
	if n <= 0 {
		r.Fail("bad varint")
		return 0
	}
	r.Pos += n
	return v
}

// Count reads a uvarint that must lie in [lo, hi].
func (r *Reader) Count(lo, hi uint64, name string) int {
	v := r.Uvarint()
	if r.Err == nil && (v < lo || v > hi) {
		r.Fail("%s %d out of range [%d, %d]", name, v, lo, hi)
		return 0
	}
	return int(v)
}

// Take returns the next n bytes.
func (r *Reader) Take(n int) []byte {
	if r.Err != nil {
		return nil
	}
	if n < 0 || n > len(r.Buf)-r.Pos {
		r.Fail("length %d past the end", n)
		return nil
	}
	b := r.Buf[r.Pos : r.Pos+n : r.Pos+n]
	r.Pos += n
	return b
}

// Bytes reads a uvarint length of at most max, then that many bytes.
func (r *Reader) Bytes(max int) []byte {
	return r.Take(r.Count(0, uint64(max), "length"))
}

// Rest returns the unread bytes.
func (r *Reader) Rest() []byte {
	if r.Err != nil {
		return nil
	}
	return r.Buf[r.Pos:]
}

// Done fails unless the whole buffer was read, and returns the error.
func (r *Reader) Done() error {
	if r.Err == nil && r.Pos != len(r.Buf) {
		r.Fail("%d trailing bytes", len(r.Buf)-r.Pos)
	}
	return r.Err
}
