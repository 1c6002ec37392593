package segment

import (
	"encoding/binary"
	"fmt"
)

// decoder reads the varint structures of segment files with a sticky
// error: after the first problem every call returns zero values, and err
// says what went wrong and where. It never allocates: bytes() returns
// sub-slices of buf.
type decoder struct {
	buf  []byte
	pos  int
	base int64 // file offset of buf[0], for error messages
	what string
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at offset %d: %s", ErrCorrupt, d.what, d.base+int64(d.pos), fmt.Sprintf(format, args...))
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || d.pos >= len(d.buf) {
		d.fail("unexpected end")
		return 0
	}
	b := d.buf[d.pos]
	d.pos++
	return b
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.pos:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.pos += n
	return v
}

// count reads a uvarint that must lie in [lo, hi].
func (d *decoder) count(lo, hi uint64, name string) int {
	v := d.uvarint()
	if d.err == nil && (v < lo || v > hi) {
		d.fail("%s %d out of range [%d, %d]", name, v, lo, hi)
		return 0
	}
	return int(v)
}

// take returns the next n bytes.
func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.pos {
		d.fail("length %d past the end", n)
		return nil
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b
}

// bytes reads a uvarint length of at most max, then that many bytes.
func (d *decoder) bytes(max int) []byte {
	n := d.count(0, uint64(max), "length")
	return d.take(n)
}

// done fails unless the whole buffer was consumed.
func (d *decoder) done() error {
	if d.err == nil && d.pos != len(d.buf) {
		d.fail("%d trailing bytes", len(d.buf)-d.pos)
	}
	return d.err
}

// checkCRC verifies that buf ends with the CRC-32C of what precedes it and
// returns what precedes it.
func checkCRC(buf []byte, base int64, what string) ([]byte, error) {
	if len(buf) < 4 {
		return nil, fmt.Errorf("%w: %s at offset %d: %d bytes, too short", ErrCorrupt, what, base, len(buf))
	}
	body := buf[:len(buf)-4]
	if got, want := crc(body), binary.LittleEndian.Uint32(buf[len(body):]); got != want {
		return nil, fmt.Errorf("%w: %s at offset %d: checksum mismatch", ErrCorrupt, what, base)
	}
	return body, nil
}
