package codec

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// Integer and timestamp codecs. The encoders first summarise the column in
// one pass (intStats, timeStats), from which every codec's exact size
// follows, and then write only the smallest: trying each codec would cost
// several passes per column. See codec.go for the byte layouts.

// intStats summarises an integer column for choosing its codec.
type intStats struct {
	minK, maxK uint64 // extreme keys v[i] ^ flip (flip orders i, I as signed)
	minD, maxD int64  // extreme deltas v[i] - v[i-1], i >= 1 (0, 0 if n = 1)
	varBytes   int    // total zvarint length of the deltas
}

// statInts computes the intStats of v (len(v) >= 1).
func statInts(v []uint64, flip uint64) intStats {
	s := intStats{minK: v[0] ^ flip, maxK: v[0] ^ flip}
	if len(v) == 1 {
		return s
	}
	s.minD, s.maxD = math.MaxInt64, math.MinInt64
	prev := v[0]
	for _, x := range v[1:] {
		k, d := x^flip, int64(x-prev)
		prev = x
		s.minK, s.maxK = min(s.minK, k), max(s.maxK, k)
		s.minD, s.maxD = min(s.minD, d), max(s.maxD, d)
		s.varBytes += uvarintLen(zigzag(d))
	}
	return s
}

// signFlip is the key transform that makes unsigned comparison of keys
// follow the order of the code's values.
func signFlip(c format.Code) uint64 {
	if c.Signed() {
		return 1 << 63
	}
	return 0
}

// toVarint maps a value of code c to the uvarint that stores it as a first
// or base value: zigzag for signed codes, so that small negatives stay short.
func toVarint(c format.Code, v uint64) uint64 {
	if c.Signed() {
		return zigzag(int64(v))
	}
	return v
}

// fromVarint inverts toVarint.
func fromVarint(c format.Code, u uint64) uint64 {
	if c.Signed() {
		return uint64(unzigzag(u))
	}
	return u
}

// appendInts writes v, of integer code c (or the bits of a float code), with
// the smallest integer codec. Ties go to the codec that decodes fastest.
func appendInts(dst []byte, c format.Code, v []uint64) []byte {
	flip := signFlip(c)
	s := statInts(v, flip)
	first := 1 + uvarintLen(toVarint(c, v[0]))
	if s.minK == s.maxK {
		return binary.AppendUvarint(append(dst, intConst), toVarint(c, v[0]))
	}
	dw := uint(bits.Len64(uint64(s.maxD - s.minD)))
	vw := uint(bits.Len64(s.maxK - s.minK))
	base := s.minK ^ flip
	deltaPacked := first + uvarintLen(zigzag(s.minD)) + 1 + packedLen(len(v)-1, dw)
	packed := 1 + uvarintLen(toVarint(c, base)) + 1 + packedLen(len(v), vw)
	deltaVar := first + s.varBytes
	switch min(deltaPacked, packed, deltaVar) {
	case deltaPacked:
		return appendIntDeltaPacked(dst, c, v, s.minD, dw)
	case packed:
		return appendIntPacked(dst, c, v, base, vw)
	default:
		return appendIntDeltaVar(dst, c, v)
	}
}

// appendIntDeltaVar writes codec intDeltaVar.
func appendIntDeltaVar(dst []byte, c format.Code, v []uint64) []byte {
	dst = binary.AppendUvarint(append(dst, intDeltaVar), toVarint(c, v[0]))
	for i := 1; i < len(v); i++ {
		dst = binary.AppendUvarint(dst, zigzag(int64(v[i]-v[i-1])))
	}
	return dst
}

// appendIntDeltaPacked writes codec intDeltaPacked: the deltas less their
// minimum minD, in w bits each.
func appendIntDeltaPacked(dst []byte, c format.Code, v []uint64, minD int64, w uint) []byte {
	dst = binary.AppendUvarint(append(dst, intDeltaPacked), toVarint(c, v[0]))
	dst = append(binary.AppendUvarint(dst, zigzag(minD)), byte(w))
	return packDeltas(dst, v, uint64(minD), w)
}

// appendIntPacked writes codec intPacked: the values less base, in w bits
// each.
func appendIntPacked(dst []byte, c format.Code, v []uint64, base uint64, w uint) []byte {
	dst = append(binary.AppendUvarint(append(dst, intPacked), toVarint(c, base)), byte(w))
	bw := bitWriter{buf: slices.Grow(dst, packedLen(len(v), w))}
	if w == 0 {
		return dst
	}
	for _, x := range v {
		bw.write(x-base, w)
	}
	return bw.finish()
}

// packDeltas appends v[i] - v[i-1] - minD for i >= 1 in w bits each. Every
// such difference must fit in w bits.
func packDeltas(dst []byte, v []uint64, minD uint64, w uint) []byte {
	if w == 0 {
		return dst
	}
	bw := bitWriter{buf: slices.Grow(dst, packedLen(len(v)-1, w))}
	for i := 1; i < len(v); i++ {
		bw.write(v[i]-v[i-1]-minD, w)
	}
	return bw.finish()
}

// readInts decodes n >= 1 values of code c from src, a stream of an integer
// codec, and checks that they fit c.
func readInts(dst []uint64, src []byte, c format.Code, n int) ([]uint64, error) {
	start := len(dst)
	r := newByteReader(src[1:])
	var err error
	switch src[0] {
	case intConst:
		dst, err = readIntConst(dst, &r, c, n)
	case intDeltaVar:
		dst, err = readIntDeltaVar(dst, &r, c, n)
	case intDeltaPacked:
		first := fromVarint(c, r.Uvarint())
		minD, w := uint64(unzigzag(r.Uvarint())), r.width()
		data := r.rest(packedLen(n-1, w))
		dst, err = unpackDeltas(dst, data, r.Err, n, w, first, minD)
	case intPacked:
		base, w := fromVarint(c, r.Uvarint()), r.width()
		data := r.rest(packedLen(n, w))
		dst, err = unpackValues(dst, data, r.Err, n, w, base)
	default:
		return dst, corrupt("unknown codec %#x", src[0])
	}
	if err != nil {
		return dst, err
	}
	return dst, checkFit(c, dst[start:])
}

// readIntConst decodes codec intConst.
func readIntConst(dst []uint64, r *byteReader, c format.Code, n int) ([]uint64, error) {
	v := fromVarint(c, r.Uvarint())
	if err := r.Done(); err != nil {
		return dst, err
	}
	dst = slices.Grow(dst, n)
	for range n {
		dst = append(dst, v)
	}
	return dst, nil
}

// readIntDeltaVar decodes codec intDeltaVar.
func readIntDeltaVar(dst []uint64, r *byteReader, c format.Code, n int) ([]uint64, error) {
	v := fromVarint(c, r.Uvarint())
	if r.Err == nil && len(r.Rest()) < n-1 { // each delta takes a byte at least
		r.Fail("%d bytes for %d deltas", len(r.Rest()), n-1)
	}
	if r.Err != nil {
		return dst, r.Err
	}
	dst = append(slices.Grow(dst, n), v)
	for range n - 1 {
		v += uint64(unzigzag(r.Uvarint()))
		dst = append(dst, v)
	}
	return dst, r.Done()
}

// unpackDeltas decodes w-bit packed deltas less minD after first, for
// n >= 1 values in all. err, if not nil, is a header error to return
// before allocating.
func unpackDeltas(dst []uint64, data []byte, err error, n int, w uint, first, minD uint64) ([]uint64, error) {
	if err != nil {
		return dst, err
	}
	dst = append(slices.Grow(dst, n), first)
	br := bitReader{src: data}
	v := first
	for range n - 1 {
		v += br.read(w) + minD
		dst = append(dst, v)
	}
	return dst, br.end()
}

// unpackValues decodes n w-bit packed values less base.
func unpackValues(dst []uint64, data []byte, err error, n int, w uint, base uint64) ([]uint64, error) {
	if err != nil {
		return dst, err
	}
	dst = slices.Grow(dst, n)
	br := bitReader{src: data}
	for range n {
		dst = append(dst, base+br.read(w))
	}
	return dst, br.end()
}

// checkFit checks that decoded values fit their code (format.Code.Fits).
func checkFit(c format.Code, v []uint64) error {
	if c.FitsAll(v) {
		return nil
	}
	x := v[slices.IndexFunc(v, func(x uint64) bool { return !c.Fits(x) })]
	if c == format.I32 {
		return corrupt("value %d does not fit i", int64(x))
	}
	return corrupt("value %#x does not fit %c", x, c)
}

// timeStats summarises a timestamp column for choosing its codec.
type timeStats struct {
	minD, maxD uint64 // extreme deltas t[i] - t[i-1], i >= 1
	varBytes   int    // total zvarint length of the delta-of-deltas
}

// statTimes computes the timeStats of ts (len(ts) >= 2).
func statTimes(ts []uint64) timeStats {
	s := timeStats{minD: math.MaxUint64}
	var prevD uint64
	for i := 1; i < len(ts); i++ {
		d := ts[i] - ts[i-1]
		s.minD, s.maxD = min(s.minD, d), max(s.maxD, d)
		s.varBytes += uvarintLen(zigzag(int64(d - prevD)))
		prevD = d
	}
	return s
}

// appendTimes writes ts (len(ts) >= 1) with the smallest timestamp codec.
func appendTimes(dst []byte, ts []uint64) []byte {
	first := 1 + uvarintLen(ts[0])
	if len(ts) == 1 {
		return binary.AppendUvarint(append(dst, timesDeltaVar), ts[0])
	}
	s := statTimes(ts)
	if s.minD == s.maxD {
		dst = binary.AppendUvarint(append(dst, timesConstStep), ts[0])
		return binary.AppendUvarint(dst, s.minD)
	}
	w := uint(bits.Len64(s.maxD - s.minD))
	if first+uvarintLen(s.minD)+1+packedLen(len(ts)-1, w) <= first+s.varBytes {
		dst = binary.AppendUvarint(append(dst, timesPacked), ts[0])
		dst = append(binary.AppendUvarint(dst, s.minD), byte(w))
		return packDeltas(dst, ts, s.minD, w)
	}
	return appendTimesDeltaVar(dst, ts)
}

// appendTimesDeltaVar writes codec timesDeltaVar.
func appendTimesDeltaVar(dst []byte, ts []uint64) []byte {
	dst = binary.AppendUvarint(append(dst, timesDeltaVar), ts[0])
	var prevD uint64
	for i := 1; i < len(ts); i++ {
		d := ts[i] - ts[i-1]
		dst = binary.AppendUvarint(dst, zigzag(int64(d-prevD)))
		prevD = d
	}
	return dst
}

// readTimes decodes n >= 1 timestamps from src, a stream of a timestamp
// codec, and checks that they increase strictly.
func readTimes(dst []uint64, src []byte, n int) ([]uint64, error) {
	start := len(dst)
	r := newByteReader(src[1:])
	var err error
	switch src[0] {
	case timesConstStep:
		return readTimesConstStep(dst, &r, n)
	case timesDeltaVar:
		dst, err = readTimesDeltaVar(dst, &r, n)
	case timesPacked:
		first, minD, w := r.Uvarint(), r.Uvarint(), r.width()
		data := r.rest(packedLen(n-1, w))
		dst, err = unpackDeltas(dst, data, r.Err, n, w, first, minD)
	default:
		return dst, corrupt("unknown codec %#x", src[0])
	}
	if err != nil {
		return dst, err
	}
	return dst, checkIncreasing(dst[start:])
}

// readTimesConstStep decodes codec timesConstStep, refusing a zero step and
// one that overflows.
func readTimesConstStep(dst []uint64, r *byteReader, n int) ([]uint64, error) {
	t, step := r.Uvarint(), r.Uvarint()
	if err := r.Done(); err != nil {
		return dst, err
	}
	if hi, span := bits.Mul64(step, uint64(n-1)); n > 1 && (step == 0 || hi != 0 || span > math.MaxUint64-t) {
		return dst, corrupt("step %d from %d for %d timestamps", step, t, n)
	}
	dst = slices.Grow(dst, n)
	for range n {
		dst = append(dst, t)
		t += step
	}
	return dst, nil
}

// readTimesDeltaVar decodes codec timesDeltaVar.
func readTimesDeltaVar(dst []uint64, r *byteReader, n int) ([]uint64, error) {
	t := r.Uvarint()
	if r.Err == nil && len(r.Rest()) < n-1 {
		r.Fail("%d bytes for %d deltas", len(r.Rest()), n-1)
	}
	if r.Err != nil {
		return dst, r.Err
	}
	dst = append(slices.Grow(dst, n), t)
	var d uint64
	for range n - 1 {
		d += uint64(unzigzag(r.Uvarint()))
		t += d
		dst = append(dst, t)
	}
	return dst, r.Done()
}

// checkIncreasing checks that ts increases strictly.
func checkIncreasing(ts []uint64) error {
	for i := 1; i < len(ts); i++ {
		if ts[i] <= ts[i-1] {
			return corrupt("timestamp %d after %d", ts[i], ts[i-1])
		}
	}
	return nil
}
