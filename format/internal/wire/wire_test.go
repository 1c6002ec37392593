package wire

import (
	"errors"
	"strings"
	"testing"
)

// TestReader: every problem is sticky, wraps ErrCorrupt, and says where
// when the Reader knows.
func TestReader(t *testing.T) {
	tests := []struct {
		name string
		buf  []byte
		read func(r *Reader)
		want string // "" for no error
	}{
		{"all read", []byte{0x05, 'a', 'b', 0x81, 0x01}, func(r *Reader) { r.Byte(); r.Take(2); r.Uvarint() }, ""},
		{"bytes", []byte{0x02, 'h', 'i'}, func(r *Reader) {
			if string(r.Bytes(8)) != "hi" {
				r.Fail("wrong bytes")
			}
		}, ""},
		{"end", []byte{}, func(r *Reader) { r.Byte() }, "page at offset 100: unexpected end"},
		{"varint", []byte{0x80}, func(r *Reader) { r.Uvarint() }, "bad varint"},
		{"count", []byte{0x09}, func(r *Reader) { r.Count(1, 4, "entries") }, "entries 9 out of range [1, 4]"},
		{"take", []byte{0x01}, func(r *Reader) { r.Take(2) }, "length 2 past the end"},
		{"bytes over max", []byte{0x05, 1, 2, 3, 4, 5}, func(r *Reader) { r.Bytes(4) }, "length 5 out of range [0, 4]"},
		{"trailing", []byte{1, 2}, func(r *Reader) { r.Byte() }, "at offset 101: 1 trailing bytes"},
		{"sticky", []byte{}, func(r *Reader) { r.Byte(); r.Fail("second") }, "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reader{Buf: tt.buf, What: "page", Base: 100}
			tt.read(r)
			err := r.Done()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want != "" && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "second")):
				t.Fatalf("error %v, want ErrCorrupt with %q", err, tt.want)
			}
		})
	}
	r := &Reader{Buf: []byte{}}
	r.Byte()
	if r.Err.Error() != "corrupt: unexpected end" {
		t.Fatalf("a stream's error says where it is: %v", r.Err)
	}
}
