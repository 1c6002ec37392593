package codec

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/chime-tsdb/chime/format"
)

// Float codecs. Floats come in two kinds: decimals typed by people or
// instruments (12.5, 0.001), which decimal scaling turns into small
// integers for the integer codecs, and computed values whose mantissa bits
// are noise, where the best one can do is drop the bits that repeat the
// previous value (Gorilla XOR) or lay them out for zstd (XOR planes). See
// codec.go for the byte layouts.

// pow10 holds the exactly representable powers of ten of decimal scaling.
var pow10 = [16]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// maxDecimalScale is the largest p of codec floatDecimal.
const maxDecimalScale = len(pow10) - 1

// floatWidth is the number of bits of a value of code c: 32 or 64.
func floatWidth(c format.Code) uint {
	if c == format.F32 {
		return 32
	}
	return 64
}

// appendFloats writes v, of float code c, with the float codec that should
// give the smallest block (see pickFloat). Decimal scaling is tried first
// because it fails fast (usually on the first value) on computed data, and
// because it usually wins when it succeeds. The other codecs' sizes are
// computed, not written.
func appendFloats(dst []byte, c format.Code, v []uint64) []byte {
	if allEqual(v) {
		return appendInts(dst, c, v)
	}
	start := len(dst)
	dst, ok := appendDecimalFloats(dst, c, v)
	if ok && (len(dst)-start)*8 <= len(v)+64 {
		return dst // the others take a bit a value and v[0] at least
	}
	decimal := len(dst) - start
	if !ok {
		decimal = math.MaxInt
	}
	w := floatWidth(c)
	var xs xorStats
	xs.scan(v)
	switch pickFloat(decimal, gorillaSize(v, w), &xs, len(v), w) {
	case floatDecimal:
		return dst
	case floatGorilla:
		return appendGorilla(dst[:start], v, w)
	case floatPlanes:
		return appendPlanes(dst[:start], v, w, xs.or)
	default:
		return appendRaw(dst[:start], v, w)
	}
}

// pickFloat chooses among the float codecs for n values of w bits, given
// the sizes of the decimal (MaxInt if impossible) and Gorilla streams and
// the XOR statistics, so as to make the block smallest. It weighs the
// block's zstd pass: zstd gains nothing on the bit-packed decimal and
// Gorilla streams, but on XOR planes of noisy measurements it squeezes the
// high planes (sign, exponent, leading mantissa bits), which hold few
// distinct byte values. On the reference random walk the planes then take
// 6.5 bytes a value where Gorilla takes 7.3; Gorilla wins where many values
// repeat the previous one (a bit each). The plane estimate is the size of
// an order-0 code of each plane given only its number of distinct bytes,
// n*log2(distinct)/8: within 5% of zstd's result on the random walks,
// sines, noise and float32 data measured, except where repeats make zero
// bytes frequent, which it overrates but where Gorilla wins anyway. On
// random bits it comes out a byte over raw, which zstd would not shrink.
func pickFloat(decimal, gorilla int, xs *xorStats, n int, w uint) byte {
	planes := 2 + int(w/8) + xs.planeBytes(n-1)
	raw := 1 + n*int(w/8)
	switch min(decimal, gorilla, planes, raw) {
	case decimal:
		return floatDecimal
	case gorilla:
		return floatGorilla
	case planes:
		return floatPlanes
	}
	return floatRaw
}

// xorStats describe the XORs x[i] = v[i] XOR v[i-1], i >= 1, of a float
// column, for pickFloat.
type xorStats struct {
	or      uint64       // the OR of the x[i]
	seen    [8][256]bool // seen[j][b]: byte j of a sampled x[i] is b
	samples int          // the number of x[i] sampled
}

// xorSamples bounds the XORs that xorStats.scan samples: counting distinct
// bytes (a store per plane and value) would otherwise take longer than
// encoding. Planes of random bytes show fewer distinct values in a sample
// than they would in all; planeBytes corrects for it.
const xorSamples = 1024

// scan computes the statistics of v (len(v) >= 2).
func (s *xorStats) scan(v []uint64) {
	step := max(1, (len(v)-1)/xorSamples)
	next, or := 1, uint64(0) // next: the next index to sample
	for i := 1; i < len(v); i++ {
		x := v[i] ^ v[i-1]
		or |= x
		if i == next {
			next += step
			s.sample(x)
		}
	}
	s.or = or
}

// sample records the bytes of x. It is unrolled: a loop over the planes
// takes twice as long.
func (s *xorStats) sample(x uint64) {
	s.samples++
	seen := &s.seen
	seen[0][byte(x)] = true
	seen[1][byte(x>>8)] = true
	seen[2][byte(x>>16)] = true
	seen[3][byte(x>>24)] = true
	seen[4][byte(x>>32)] = true
	seen[5][byte(x>>40)] = true
	seen[6][byte(x>>48)] = true
	seen[7][byte(x>>56)] = true
}

// planeBytes estimates the size of the planes of m XORs after zstd: a plane
// holding d distinct bytes takes m*log2(d)/8 bytes, or m if d is about
// what random bytes would show in as many samples.
func (s *xorStats) planeBytes(m int) int {
	random := 256 * (1 - math.Pow(255.0/256, float64(s.samples)))
	total := 0.0
	for j := range s.seen {
		d := 0
		for _, seen := range s.seen[j] {
			if seen {
				d++
			}
		}
		if float64(d) >= 0.97*random {
			total += 8
		} else if d > 1 {
			total += math.Log2(float64(d))
		}
	}
	return int(total * float64(m) / 8)
}

// allEqual reports whether every value of v (len(v) >= 1) is v[0].
func allEqual(v []uint64) bool {
	for _, x := range v[1:] {
		if x != v[0] {
			return false
		}
	}
	return true
}

// readFloats decodes n >= 1 values of float code c from src.
func readFloats(dst []uint64, src []byte, c format.Code, n int) ([]uint64, error) {
	w := floatWidth(c)
	switch src[0] {
	case floatDecimal:
		return readDecimalFloats(dst, src[1:], c, n)
	case floatGorilla:
		return readGorilla(dst, src[1:], n, w)
	case floatPlanes:
		return readPlanes(dst, src[1:], n, w)
	case floatRaw:
		return readRaw(dst, src[1:], n, w)
	}
	return readInts(dst, src, c, n)
}

// scratchPool recycles the integer columns of decimal scaling, so that
// encoding allocates nothing in steady state.
var scratchPool sync.Pool // of *[]uint64

// appendDecimalFloats writes codec floatDecimal if every value of v is exactly
// k/10^p for one p; it reports false (with dst unchanged in content, maybe
// grown) when some value is not.
func appendDecimalFloats(dst []byte, c format.Code, v []uint64) ([]byte, bool) {
	sp, _ := scratchPool.Get().(*[]uint64)
	if sp == nil {
		sp = new([]uint64)
	}
	defer scratchPool.Put(sp)
	k, p, ok := decimalInts((*sp)[:0], c, v)
	*sp = k
	if !ok {
		return dst, false
	}
	return appendInts(append(dst, floatDecimal, byte(p)), format.I64, k), true
}

// decimalInts returns, appended to k, integers k[i] = v[i]*10^p and a p that
// make every v[i] exactly k[i]/10^p, or false. p starts at 0 and grows as
// values need it, so values scanned before its last increase are scaled
// again (and checked again: a larger p can fail where a smaller one
// succeeded, when v[i]*10^p is inexact).
func decimalInts(k []uint64, c format.Code, v []uint64) ([]uint64, int, bool) {
	p, grew := 0, 0
	for i, x := range v {
		ki, ok := decimalInt(c, x, p)
		for ; !ok; ki, ok = decimalInt(c, x, p) {
			if p++; p > maxDecimalScale {
				return k, 0, false
			}
			grew = i
		}
		k = append(k, uint64(ki))
	}
	for i, x := range v[:grew] {
		ki, ok := decimalInt(c, x, p)
		if !ok {
			return k, 0, false
		}
		k[i] = uint64(ki)
	}
	return k, p, true
}

// decimalInt returns the k with x == k/10^p, bit for bit as readDecimalFloats
// computes it, or false. Infinities, NaNs and -0 never qualify.
func decimalInt(c format.Code, x uint64, p int) (int64, bool) {
	f := math.Float64frombits(x)
	if c == format.F32 {
		f = float64(math.Float32frombits(uint32(x)))
	}
	y := math.Round(f * pow10[p])
	if !(y > -9.2e18 && y < 9.2e18) { // int64 range, and not NaN
		return 0, false
	}
	k := int64(y)
	return k, decimalValue(c, k, p) == x
}

// decimalValue is the bits of k/10^p in code c.
func decimalValue(c format.Code, k int64, p int) uint64 {
	f := float64(k) / pow10[p]
	if c == format.F32 {
		return uint64(math.Float32bits(float32(f)))
	}
	return math.Float64bits(f)
}

// readDecimalFloats decodes codec floatDecimal (src after the id).
func readDecimalFloats(dst []uint64, src []byte, c format.Code, n int) ([]uint64, error) {
	if len(src) < 2 || int(src[0]) > maxDecimalScale {
		return dst, corrupt("bad decimal scale header")
	}
	p, start := int(src[0]), len(dst)
	dst, err := readInts(dst, src[1:], format.I64, n)
	if err != nil {
		return dst, err
	}
	for i, k := range dst[start:] {
		dst[start+i] = decimalValue(c, int64(k), p)
	}
	return dst, nil
}

// gorillaEncoder holds the state of a Gorilla stream of w-bit values.
type gorillaEncoder struct {
	w, lenBits  uint   // value width, window length field width
	prev        uint64 // the previous value
	lead, trail uint   // the current window (64, 64: none yet)
}

// newGorillaEncoder starts a stream whose first value is first.
func newGorillaEncoder(first uint64, w uint) gorillaEncoder {
	return gorillaEncoder{w: w, lenBits: uint(bits.Len(w)) - 1, prev: first, lead: 64, trail: 64}
}

// next returns the bits that encode x: a control field of hn bits (the
// control bits, and for a new window its leading zeros and length), then
// the meaningful bits, m of mn bits. Both the writer and the sizer use it,
// so they cannot disagree.
func (g *gorillaEncoder) next(x uint64) (hdr uint64, hn uint, m uint64, mn uint) {
	xor := x ^ g.prev
	g.prev = x
	if xor == 0 {
		return 0, 1, 0, 0
	}
	lead := uint(bits.LeadingZeros64(xor)) - (64 - g.w)
	trail := uint(bits.TrailingZeros64(xor))
	if lead >= g.lead && trail >= g.trail {
		return 0b01, 2, xor >> g.trail, g.w - g.lead - g.trail
	}
	lead = min(lead, 31)
	l := g.w - lead - trail
	g.lead, g.trail = lead, trail
	return 0b11 | uint64(lead)<<2 | uint64(l&(g.w-1))<<7, 7 + g.lenBits, xor >> trail, l
}

// gorillaSize is the size of codec floatGorilla for v, in bytes, computed
// without writing it: most columns that reach it end up in other codecs.
func gorillaSize(v []uint64, w uint) int {
	g := newGorillaEncoder(v[0], w)
	n := w
	for _, x := range v[1:] {
		_, hn, _, mn := g.next(x)
		n += hn + mn
	}
	return 1 + int(n+7)/8
}

// appendGorilla writes codec floatGorilla for values of w bits.
func appendGorilla(dst []byte, v []uint64, w uint) []byte {
	bw := bitWriter{buf: append(dst, floatGorilla)}
	bw.write(v[0], w)
	g := newGorillaEncoder(v[0], w)
	for _, x := range v[1:] {
		hdr, hn, m, mn := g.next(x)
		bw.write(hdr, hn)
		bw.write(m, mn)
	}
	return bw.finish()
}

// readGorilla decodes codec floatGorilla (src after the id).
func readGorilla(dst []uint64, src []byte, n int, w uint) ([]uint64, error) {
	if len(src)*8 < int(w)+n-1 { // v[0], then a bit a value at least
		return dst, corrupt("%d bytes for %d Gorilla values", len(src), n)
	}
	lenBits := uint(bits.Len(w)) - 1
	br := bitReader{src: src}
	v := br.read(w)
	dst = append(slices.Grow(dst, n), v)
	lead, trail, window := uint(0), uint(0), false
	for range n - 1 {
		if br.bit() == 0 {
			dst = append(dst, v)
			continue
		}
		if br.bit() == 1 {
			lead = uint(br.read(5))
			l := uint(br.read(lenBits))
			if l == 0 {
				l = w
			}
			if lead+l > w {
				return dst, corrupt("Gorilla window of %d bits after %d", l, lead)
			}
			trail, window = w-lead-l, true
		} else if !window {
			return dst, corrupt("Gorilla window reused before one is set")
		}
		v ^= br.read(w-lead-trail) << trail
		dst = append(dst, v)
	}
	return dst, br.end()
}

// planeMask returns bit j set for each byte j of the w-bit word or that is
// not zero: the planes that codec floatPlanes stores.
func planeMask(or uint64, w uint) byte {
	var m byte
	for j := range w / 8 {
		if byte(or>>(8*j)) != 0 {
			m |= 1 << j
		}
	}
	return m
}

// appendPlanes writes codec floatPlanes; or is the OR of the XORs of
// consecutive values. It writes all eight planes in one pass, then closes
// the gaps of the absent ones: a pass per plane takes three times as long.
func appendPlanes(dst []byte, v []uint64, w uint, or uint64) []byte {
	m := planeMask(or, w)
	dst = append(appendWord(append(dst, floatPlanes), v[0], w), m)
	at, n := len(dst), len(v)-1
	dst = slices.Grow(dst, 8*n)[:at+8*n]
	transposeXORs(dst[at:], v)
	end := at
	for j := 7; j >= 0; j-- { // high planes first: see codec.go
		if m&(1<<j) != 0 {
			from := at + (7-j)*n
			end += copy(dst[end:], dst[from:from+n])
		}
	}
	return dst[:end]
}

// transposeXORs writes the planes of the XORs of consecutive values of v
// to out (8*(len(v)-1) bytes): byte 7 of every XOR, then byte 6, ... then
// byte 0.
func transposeXORs(out []byte, v []uint64) {
	next := v[1:]
	n := len(next)
	p7, p6, p5, p4 := out[:n], out[n:2*n], out[2*n:3*n], out[3*n:4*n]
	p3, p2, p1, p0 := out[4*n:5*n], out[5*n:6*n], out[6*n:7*n], out[7*n:8*n]
	for i, x := range next {
		x ^= v[i]
		p7[i], p6[i], p5[i], p4[i] = byte(x>>56), byte(x>>48), byte(x>>40), byte(x>>32)
		p3[i], p2[i], p1[i], p0[i] = byte(x>>24), byte(x>>16), byte(x>>8), byte(x)
	}
}

// readPlanes decodes codec floatPlanes (src after the id).
func readPlanes(dst []uint64, src []byte, n int, w uint) ([]uint64, error) {
	size := int(w / 8)
	if len(src) < size+1 || src[size]>>size != 0 {
		return dst, corrupt("bad plane header")
	}
	m := src[size]
	if want := bits.OnesCount8(m) * (n - 1); len(src)-size-1 != want {
		return dst, corrupt("%d bytes of planes, want %d", len(src)-size-1, want)
	}
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	x := dst[start:]
	clear(x)
	x[0] = readWord(src, w)
	planes := src[size+1:]
	for j := w/8 - 1; j < w/8; j-- {
		if m&(1<<j) == 0 {
			continue
		}
		for i, b := range planes[:n-1] {
			x[i+1] |= uint64(b) << (8 * j & 63)
		}
		planes = planes[n-1:]
	}
	for i := 1; i < n; i++ {
		x[i] ^= x[i-1]
	}
	return dst, nil
}

// appendRaw writes codec floatRaw.
func appendRaw(dst []byte, v []uint64, w uint) []byte {
	dst = append(dst, floatRaw)
	for _, x := range v {
		dst = appendWord(dst, x, w)
	}
	return dst
}

// appendWord appends x little-endian in w/8 bytes.
func appendWord(dst []byte, x uint64, w uint) []byte {
	if w == 32 {
		return binary.LittleEndian.AppendUint32(dst, uint32(x))
	}
	return binary.LittleEndian.AppendUint64(dst, x)
}

// readWord reads a little-endian word of w/8 bytes from the start of src.
func readWord(src []byte, w uint) uint64 {
	if w == 32 {
		return uint64(binary.LittleEndian.Uint32(src))
	}
	return binary.LittleEndian.Uint64(src)
}

// readRaw decodes codec floatRaw (src after the id).
func readRaw(dst []uint64, src []byte, n int, w uint) ([]uint64, error) {
	size := int(w / 8)
	if len(src) != n*size {
		return dst, corrupt("%d bytes of raw values, want %d", len(src), n*size)
	}
	dst = slices.Grow(dst, n)
	for i := 0; i < len(src); i += size {
		dst = append(dst, readWord(src[i:], w))
	}
	return dst, nil
}
