// Package decimal holds the digit routines shared by the time and text
// codecs: integers to ASCII eight digits at a time, with no allocation.
package decimal

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// AppendUint appends v in decimal like strconv.AppendUint, faster for
// the long numbers of read's output (nanosecond timestamps): eight digits
// at a time, stored with one 8-byte write.
func AppendUint(dst []byte, v uint64) []byte {
	if v >= 1e8 {
		dst = AppendUint(dst, v/1e8) // at most twice more: v < 1e20
		return AppendASCII8(dst, Digits8(uint32(v%1e8)), 8)
	}
	if v < 100 { // small values are common and need no lane arithmetic
		if v < 10 {
			return append(dst, byte('0'+v))
		}
		return append(dst, byte('0'+v/10), byte('0'+v%10))
	}
	x := Digits8(uint32(v))
	// The leading zeros are the low bytes equal to '0'; keep one for 0.
	z := min(bits.TrailingZeros64(x^0x3030303030303030)/8, 7)
	return AppendASCII8(dst, x>>(8*z), 8-z)
}

// AppendASCII8 appends the first n bytes of x, little-endian, writing all
// eight past the end of dst (within its capacity) to avoid a memmove.
func AppendASCII8(dst []byte, x uint64, n int) []byte {
	l := len(dst)
	dst = slices.Grow(dst, 8)
	binary.LittleEndian.PutUint64(dst[l:l+8], x)
	return dst[:l+n]
}

// Put8 writes v (< 10^8) as 8 zero-padded digits.
func Put8(out []byte, v uint32) {
	binary.LittleEndian.PutUint64(out, Digits8(v))
}

// Digits8 returns v (< 10^8) as 8 zero-padded ASCII digits, the first in
// the low byte. It converts all eight at once in the lanes of a uint64
// (SWAR): two base-10000 halves, then four base-100 pairs, then eight
// digits, dividing by 100 and 10 with multiply-shifts that are exact in
// that range (tested exhaustively).
func Digits8(v uint32) uint64 {
	x := uint64(v/10000) | uint64(v%10000)<<32
	hi := (x * 10486 >> 20) & (0x7f<<32 | 0x7f)
	x = hi | (x-hi*100)<<16
	hi = (x * 103 >> 10) & (0xf<<48 | 0xf<<32 | 0xf<<16 | 0xf)
	x = hi | (x-hi*10)<<8
	return x + 0x3030303030303030
}
