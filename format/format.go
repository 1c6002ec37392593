package format

import (
	"errors"
	"fmt"
	"math"
)

// Code is one column type of a row format.
//
// Numbers are carried as uint64 bits everywhere inside chime (see Column):
// u and U as themselves, i and I as the two's complement of the sign-extended
// int64, f as math.Float32bits, F as math.Float64bits.
type Code byte

// The column type codes of sonnerie's format strings.
const (
	U32 Code = 'u' // uint32
	U64 Code = 'U' // uint64
	I32 Code = 'i' // int32
	I64 Code = 'I' // int64
	F32 Code = 'f' // float32
	F64 Code = 'F' // float64
	Str Code = 's' // UTF-8 string
	Bin Code = 'B' // bytes, base64 in text
)

// Valid reports whether c is one of the eight codes.
func (c Code) Valid() bool {
	switch c {
	case U32, U64, I32, I64, F32, F64, Str, Bin:
		return true
	}
	return false
}

// Variable reports whether values of c have a length (s and B).
func (c Code) Variable() bool { return c == Str || c == Bin }

// Float reports whether c is f or F.
func (c Code) Float() bool { return c == F32 || c == F64 }

// Signed reports whether c is i or I.
func (c Code) Signed() bool { return c == I32 || c == I64 }

// Fits reports whether the uint64 bits x are a value of the numeric code
// c (see Code): at most 2^32-1 for u and for the bits of f, a sign-extended
// int32 for i; every value for U, I and F.
func (c Code) Fits(x uint64) bool {
	switch c {
	case U32, F32:
		return x>>32 == 0
	case I32:
		return uint64(int64(int32(x))) == x
	}
	return true
}

// AsFloat64 is the value bits of code c as a float64: exact for f, F and
// the 32-bit integers, rounded for a 64-bit integer that needs more than
// 53 bits. It is meaningless for s and B.
func (c Code) AsFloat64(bits uint64) float64 {
	switch c {
	case F64:
		return math.Float64frombits(bits)
	case F32:
		return float64(math.Float32frombits(uint32(bits)))
	case I32, I64:
		return float64(int64(bits))
	}
	return float64(bits)
}

// FitsAll reports whether every value of v fits c (see Fits). It is the
// check of every block written and read, so it runs branch-free: the
// values' excess bits are or-ed together and tested once.
func (c Code) FitsAll(v []uint64) bool {
	var excess uint64
	switch c {
	case U32, F32:
		for _, x := range v {
			excess |= x >> 32
		}
	case I32:
		for _, x := range v {
			excess |= x ^ uint64(int64(int32(x)))
		}
	}
	return excess == 0
}

// Valid reports whether f is a valid format: 1 to MaxFormatLen known
// codes. Formats made by ParseFormat always are; a Format built from a
// string literal is checked wherever rows enter (Block.Check).
func (f Format) Valid() bool {
	_, err := ParseFormat(string(f))
	return err == nil
}

// MaxFormatLen bounds the number of columns of one row format, so that a
// corrupt or hostile format string cannot make a reader allocate much.
const MaxFormatLen = 255

// Format is a validated row format: one Code per column, at least one.
type Format string

// ErrFormat is wrapped by every format string error.
var ErrFormat = errors.New("invalid format")

// ParseFormat validates a format string such as "u", "ff" or "uisF".
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty format string", ErrFormat)
	}
	if len(s) > MaxFormatLen {
		return "", fmt.Errorf("%w: %d columns, at most %d", ErrFormat, len(s), MaxFormatLen)
	}
	for i := 0; i < len(s); i++ {
		if !Code(s[i]).Valid() {
			return "", fmt.Errorf("%w %q: unknown code %q (want one of u U i I f F s B)", ErrFormat, s, s[i])
		}
	}
	return Format(s), nil
}

// Len is the number of columns.
func (f Format) Len() int { return len(f) }

// Code returns the type of column i.
func (f Format) Code(i int) Code { return Code(f[i]) }
