package codec

import "encoding/binary"

// Bit streams are little-endian: bit k of a stream is bit k%8 of byte k/8,
// and a value of w bits is stored least significant bit first. This order
// lets both sides move whole 64-bit words with one load or store, so that
// packing and unpacking cost a few shifts per value.

// bitWriter appends a bit stream to a byte slice. The zero value appends to
// a nil slice; set buf to append elsewhere. Call finish to get the result.
type bitWriter struct {
	buf  []byte
	acc  uint64 // pending bits, the low nacc of them
	nacc uint   // 0..63
}

// write appends the low n bits of v (n <= 64; higher bits of v must be 0).
func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.nacc // Go defines shifts >= 64 as giving 0
	if w.nacc+n < 64 {
		w.nacc += n
		return
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, w.acc)
	used := 64 - w.nacc
	w.acc = v >> used
	w.nacc = w.nacc + n - 64
}

// finish flushes the pending bits, padding the last byte with zeros, and
// returns the stream.
func (w *bitWriter) finish() []byte {
	for n := w.nacc; n > 0; n -= min(n, 8) {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
	}
	w.acc, w.nacc = 0, 0
	return w.buf
}

// bitReader reads a bit stream written by bitWriter. It never reads past
// src: reading beyond the end returns zeros and makes err report
// corruption.
type bitReader struct {
	src  []byte
	pos  int    // next byte of src to load into acc
	acc  uint64 // loaded, unread bits, the low nacc of them
	nacc uint
	bad  bool // read past the end
}

// read returns the next n bits (n <= 64).
func (r *bitReader) read(n uint) uint64 {
	if n <= r.nacc {
		v := r.acc & lowBits(n)
		r.acc >>= n // n = 64 only when nacc = 64, which never happens
		r.nacc -= n
		return v
	}
	have, v := r.nacc, r.acc
	word, got := r.load()
	if have+got < n {
		r.bad = true
		r.acc, r.nacc = 0, 0
		return 0
	}
	need := n - have
	v |= (word & lowBits(need)) << have
	r.acc = word >> need
	r.nacc = got - need
	return v
}

// bit returns the next bit.
func (r *bitReader) bit() uint64 { return r.read(1) }

// load reads up to 8 more bytes of src as a word and its number of bits.
func (r *bitReader) load() (uint64, uint) {
	rest := r.src[r.pos:]
	if len(rest) >= 8 {
		r.pos += 8
		return binary.LittleEndian.Uint64(rest), 64
	}
	var word uint64
	for i, b := range rest {
		word |= uint64(b) << (8 * i)
	}
	r.pos = len(r.src)
	return word, 8 * uint(len(rest))
}

// end checks that the stream was read exactly to its end: no read past it,
// no unread byte, and zero padding bits.
func (r *bitReader) end() error {
	switch {
	case r.bad:
		return corrupt("truncated bit stream")
	case r.pos != len(r.src) || r.nacc >= 8:
		return corrupt("%d trailing bytes", len(r.src)-r.pos+int(r.nacc/8))
	case r.acc != 0:
		return corrupt("nonzero padding bits")
	}
	return nil
}

// lowBits returns a word with the low n bits set (n <= 64).
func lowBits(n uint) uint64 { return 1<<n - 1 }
