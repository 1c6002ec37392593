// Package codec encodes the columns of a segment block: timestamps and
// numbers as self-describing streams, each with the best of a few codecs
// chosen per stream. Its surface is four functions, AppendTimes and
// DecodeTimes, AppendNums and DecodeNums; the segment layout around the
// streams is package segment's.
//
// # Streams
//
// AppendTimes and AppendNums write one column of a block as a
// self-describing stream: the first byte names the codec, the rest is its
// payload. The number of values n is not stored: the block header carries
// it, and the decoders are told it (at most 65,536). A decoder consumes its
// whole input (trailing bytes are corruption), allocates at most n values,
// and checks every value against its code: u at most 2^32-1, i a
// sign-extended int32, f with the high 32 bits clear, timestamps strictly
// increasing. Encoders pick a codec per stream; any codec valid for the
// column may appear, so readers must accept them all.
//
// Notation: uvarint is encoding/binary's unsigned varint (at most 10
// bytes); zvarint is the uvarint of the zigzag encoding of an int64 (0, -1,
// 1, -2, ... -> 0, 1, 2, 3, ...); "code-varint" is the uvarint of the value
// for u, U, f and F, and the zvarint of the value as an int64 for i and I.
// Deltas are computed in wrapping 64-bit arithmetic, d[i] = v[i] - v[i-1]
// read as an int64, so that any uint64 sequence has them; decoders add
// them back modulo 2^64.
//
// Bit-packed data is a little-endian bit stream: bit k of the stream is bit
// k%8 of byte k/8, and a field of b bits occupies the next b stream bits,
// least significant bit first. "Packed in w bits" means n fields of w bits
// back to back; a width w is one byte, 0..64, and width 0 takes no bytes. A
// bit stream ends at the first byte boundary after its last field, the
// padding bits being zero (decoders check both).
//
//	id    codec            payload
//	0x00  empty            nothing; the only codec for n = 0, for any column
//
// Timestamps (n >= 1, strictly increasing):
//
//	0x01  constant step    uvarint t[0], uvarint step; t[i] = t[0] + i*step
//	                       (for n >= 2 the step is not 0 and t[n-1] does
//	                       not overflow)
//	0x02  delta-of-delta   uvarint t[0], then for i = 1..n-1 the zvarint of
//	                       dd[i] = d[i] - d[i-1], with d[i] = t[i] - t[i-1]
//	                       and d[0] = 0
//	0x03  packed deltas    uvarint t[0], uvarint m = min d[i], width w,
//	                       then d[i] - m for i = 1..n-1 packed in w bits
//
// Integers (u U i I; values as uint64 bits, see Code):
//
//	0x10  constant         code-varint v[0]; every value equals it
//	0x11  delta varint     code-varint v[0], then the zvarint of d[i] for
//	                       i = 1..n-1
//	0x12  packed deltas    code-varint v[0], zvarint m = min d[i] (as
//	                       int64), width w, then d[i] - m for i = 1..n-1
//	                       packed in w bits
//	0x13  packed values    code-varint b = min v[i] (compared as int64 for
//	                       i and I), width w, then v[i] - b for i = 0..n-1
//	                       packed in w bits (frame of reference, no delta)
//
// Floats (f F; values as math.Float32bits / math.Float64bits; W = 32 for
// f, 64 for F). A float stream may also use any integer codec over the
// bits, read as u for f and as U for F (the encoder uses 0x10 when all
// values are bit for bit equal).
//
//	0x20  decimal          one byte p (0..15), then an integer stream of
//	                       code I, with its own id (0x10..0x13), of the
//	                       int64 k[i]; v[i] = float64(k[i]) / 10^p in
//	                       IEEE double arithmetic (10^p is exact), then
//	                       rounded to float32 for f. The encoder uses it
//	                       only when that gives back every value bit for
//	                       bit (never for NaN, infinities or -0)
//	0x21  Gorilla XOR      a bit stream: v[0] in W bits; then for each
//	                       x = v[i] XOR v[i-1], i = 1..n-1, one of:
//	                         bit 0              x = 0
//	                         bits 1, 0; m       reuse the current window:
//	                                            x = m << t (there must be
//	                                            a window already)
//	                         bits 1, 1; l in 5 bits; len in 6 bits (F) or
//	                         5 bits (f), 0 meaning W; m
//	                                            set the window to l, len
//	                                            (l + len <= W) and
//	                                            t = W - l - len; x = m << t
//	                       where m is a field of len bits (of the current
//	                       window). l is the number of leading zero bits of
//	                       x within W bits, at most 31 (the encoder caps
//	                       it, keeping some zeros in m); the encoder reuses
//	                       the window when x has at least its leading and
//	                       trailing zeros (Facebook's Gorilla, VLDB 2015)
//	0x22  XOR planes       v[0] in W/8 bytes little-endian; one byte mask
//	                       (bits 0..7 for F, 0..3 for f); then for each
//	                       set bit j of the mask, from the highest down,
//	                       the n-1 bytes of plane j: byte j (bits 8j..8j+7)
//	                       of x[i] = v[i] XOR v[i-1] for i = 1..n-1. The
//	                       planes of clear bits are all zero. Compact by
//	                       itself only when planes are absent; it lays out
//	                       alike bytes for the block's zstd pass
//	0x23  raw              the n values in W/8 bytes each, little-endian
package codec
