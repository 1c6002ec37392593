package codec

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBitWriter_Layout(t *testing.T) {
	var bw bitWriter
	bw.write(1, 1)
	bw.write(0b10, 2)
	bw.write(0xabc, 12)
	bw.write(0, 0)
	bw.write(1<<63|1, 64)
	// bits, least significant first: 1, 0 1, 0xabc, then 1, 62 zeros, 1
	want := []byte{0b1110_0101, 0b1101_0101, 0, 0, 0, 0, 0, 0, 0, 0b0100_0000}
	if got := bw.finish(); !slices.Equal(got, want) {
		t.Errorf("got %08b\nwant %08b", got, want)
	}
}

func TestBitReader_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for range 200 {
		type field struct {
			v uint64
			n uint
		}
		var fields []field
		bw := bitWriter{buf: []byte{0xee}} // appends after what buf holds
		for range rng.IntN(100) {
			n := uint(rng.IntN(65))
			v := rng.Uint64() & lowBits(n)
			fields = append(fields, field{v, n})
			bw.write(v, n)
		}
		stream := bw.finish()
		br := bitReader{src: stream[1:]}
		for i, f := range fields {
			if got := br.read(f.n); got != f.v {
				t.Fatalf("field %d of %d bits: got %#x, want %#x", i, f.n, got, f.v)
			}
		}
		if err := br.end(); err != nil {
			t.Fatalf("end: %v", err)
		}
	}
}

func TestBitReader_End(t *testing.T) {
	tests := []struct {
		name  string
		src   []byte
		reads []uint
	}{
		{"past the end", []byte{0xff}, []uint{9}},
		{"past the end by a word", make([]byte, 8), []uint{64, 1}},
		{"unread byte", []byte{1, 0}, []uint{1}},
		{"unread word", make([]byte, 16), []uint{3}},
		{"padding", []byte{0b11}, []uint{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bitReader{src: tt.src[:len(tt.src):len(tt.src)]}
			for _, n := range tt.reads {
				br.read(n)
			}
			if err := br.end(); !errors.Is(err, ErrCorrupt) {
				t.Errorf("end: %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestBitReader_StaysInSlice(t *testing.T) {
	// Bytes past len(src) but within its capacity must not be read.
	buf := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	br := bitReader{src: buf[:2]}
	if got := br.read(16); got != 0xffff {
		t.Fatalf("read 16: %#x", got)
	}
	if got := br.read(8); got != 0 || !br.bad {
		t.Fatalf("read past the end: %#x, bad %v", got, br.bad)
	}
}
