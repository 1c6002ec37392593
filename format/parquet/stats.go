package parquet

import (
	"bytes"
	"encoding/binary"
	"math"

	pqformat "github.com/parquet-go/parquet-go/format"
)

// maxStatBytes is the longest byte string kept as a min or max: a column
// chunk with a longer value has no min and max (they are optional), so
// that the footer stays small.
const maxStatBytes = 1024

// statKind is how a column's values order.
type statKind int

const (
	statSigned   statKind = iota // INT32 (sign-extended) and INT64
	statUnsigned                 // UINT32 (zero-extended) and UINT64
	statFloat                    // FLOAT as its bits
	statDouble                   // DOUBLE as its bits
	statBytes                    // byte strings, unsigned lexicographic
)

// minMax is the min and max of a page's or a chunk's values, in the
// type's order: NaN is left out, as the spec says.
type minMax struct {
	kind       statKind
	width      int // bytes of a number in the file: 4 or 8
	set        bool
	min, max   uint64
	bmin, bmax []byte // for statBytes; slices of the rows, copied by statistics
	tooLong    bool
}

func (m *minMax) less(a, b uint64) bool {
	switch m.kind {
	case statSigned:
		return int64(a) < int64(b)
	case statFloat:
		return math.Float32frombits(uint32(a)) < math.Float32frombits(uint32(b))
	case statDouble:
		return math.Float64frombits(a) < math.Float64frombits(b)
	}
	return a < b
}

// num adds a number.
func (m *minMax) num(v uint64) {
	if m.kind == statFloat && math.IsNaN(float64(math.Float32frombits(uint32(v)))) ||
		m.kind == statDouble && math.IsNaN(math.Float64frombits(v)) {
		return
	}
	if !m.set {
		m.min, m.max, m.set = v, v, true
		return
	}
	if m.less(v, m.min) {
		m.min = v
	}
	if m.less(m.max, v) {
		m.max = v
	}
}

// bytes adds a byte string.
func (m *minMax) bytes(v []byte) {
	if len(v) > maxStatBytes {
		m.tooLong = true
		return
	}
	if !m.set {
		m.bmin, m.bmax, m.set = v, v, true
		return
	}
	if bytes.Compare(v, m.bmin) < 0 {
		m.bmin = v
	}
	if bytes.Compare(m.bmax, v) < 0 {
		m.bmax = v
	}
}

// merge adds what o holds.
func (m *minMax) merge(o *minMax) {
	m.tooLong = m.tooLong || o.tooLong
	if !o.set {
		return
	}
	if m.kind == statBytes {
		m.bytes(o.bmin)
		m.bytes(o.bmax)
		return
	}
	m.num(o.min)
	m.num(o.max)
}

// statistics encodes the min and max as the file holds them, with the
// count of nulls.
func (m *minMax) statistics(nulls int64) pqformat.Statistics {
	s := pqformat.Statistics{NullCount: nulls}
	if !m.set || m.tooLong {
		return s
	}
	if m.kind == statBytes {
		s.MinValue, s.MaxValue = bytes.Clone(m.bmin), bytes.Clone(m.bmax)
		return s
	}
	lo, hi := m.min, m.max
	// A zero min is written -0 and a zero max +0, so that readers that
	// compare floats keep every zero.
	switch {
	case m.kind == statFloat && lo == 0:
		lo = 1 << 31
	case m.kind == statDouble && lo == 0:
		lo = 1 << 63
	}
	switch {
	case m.kind == statFloat && hi == 1<<31, m.kind == statDouble && hi == 1<<63:
		hi = 0
	}
	s.MinValue, s.MaxValue = m.encode(lo), m.encode(hi)
	return s
}

func (m *minMax) encode(v uint64) []byte {
	if m.width == 4 {
		return binary.LittleEndian.AppendUint32(nil, uint32(v))
	}
	return binary.LittleEndian.AppendUint64(nil, v)
}
