package agg

import (
	"math"

	"github.com/chime-tsdb/chime/format"
)

// num is one numeric value in its column's type, carried as format.Column
// carries it (see format.Code).
type num struct {
	code format.Code
	bits uint64
}

// float returns v as a float64 (rounded when an integer needs more than
// 53 bits).
func (v num) float() float64 { return v.code.AsFloat64(v.bits) }

// cmpNum compares a and b exactly, whatever their types, in the order
// -inf < numbers < +inf < NaN (NaN equals NaN): the order of DuckDB and
// PostgreSQL, so that min skips NaN and max finds it.
func cmpNum(a, b num) int {
	switch af, bf := a.code.Float(), b.code.Float(); {
	case af && bf:
		return cmpFloat(a.float(), b.float())
	case af:
		neg, mag := intParts(b)
		return cmpFloatInt(a.float(), neg, mag)
	case bf:
		neg, mag := intParts(a)
		return -cmpFloatInt(b.float(), neg, mag)
	}
	an, am := intParts(a)
	bn, bm := intParts(b)
	switch {
	case an != bn && an:
		return -1
	case an != bn:
		return 1
	case am == bm:
		return 0
	case (am < bm) != an: // two negatives compare by reversed magnitude
		return -1
	}
	return 1
}

// intParts splits an integer value into a sign and a magnitude.
func intParts(v num) (neg bool, mag uint64) {
	if v.code.Signed() && int64(v.bits) < 0 {
		return true, -v.bits
	}
	return false, v.bits
}

func cmpFloat(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an || bn:
		return boolCmp(an, bn)
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// boolCmp orders false before true.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// cmpFloatInt compares f with the integer (neg ? -mag : mag) exactly.
func cmpFloatInt(f float64, neg bool, mag uint64) int {
	const two64 = 18446744073709551616.0
	switch {
	case math.IsNaN(f) || f >= two64:
		return 1
	case f <= -two64:
		return -1
	case f < 0 && !neg:
		return -1
	case f >= 0 && neg:
		return 1
	case f < 0:
		return -cmpFloatInt(-f, false, mag)
	}
	t := uint64(f) // f in [0, 2^64): exact below 2^53, an integer above
	switch {
	case t < mag:
		return -1
	case t > mag || f-float64(t) > 0:
		return 1
	}
	return 0
}
