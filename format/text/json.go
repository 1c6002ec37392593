package text

import (
	"encoding/base64"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/decimal"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// JSONFormatter prints rows as JSON lines, one object per row, in the one
// machine-readable schema of chime (read --output json, serve):
//
//	{"key":"k","ts":1577836800000000000,"time":"2020-01-01T00:00:00Z","format":"uF","values":[1,2.5]}
//
// ts is the exact integer of nanoseconds and time the same instant in RFC
// 3339 (see AppendRFC3339). Integers are exact JSON numbers (64-bit values
// may exceed what a float64 consumer holds exactly); floats are numbers in
// their shortest round-trip form, except "NaN", "inf" and "-inf", which
// JSON cannot express as numbers; s values are JSON strings and B values
// base64 strings. format lists the codes of the printed values. Keys and
// s values that are not valid UTF-8 get U+FFFD for each invalid byte (see
// AppendJSONString): read the text or B output when bytes must survive.
//
// The zero value prints every column. It is safe for concurrent use.
type JSONFormatter struct {
	// Columns selects the value columns printed; nil prints all.
	Columns *ColumnSet
}

// AppendRows appends the lines of rows [from, to) of b, each ending in
// '\n'. The parts shared by every row of a block (key, format) are
// rendered once per call.
func (f *JSONFormatter) AppendRows(dst []byte, b *format.Block, from, to int) []byte {
	if from >= to {
		return dst
	}
	start := len(dst)
	dst = append(dst, `{"key":`...)
	dst = AppendJSONString(dst, b.Key)
	dst = append(dst, `,"ts":`...)
	keyEnd := len(dst)
	var midStart, midEnd int // the format part of the first line, copied to the others
	for i := from; i < to; i++ {
		if i > from {
			dst = append(dst, dst[start:keyEnd]...)
		}
		dst = decimal.AppendUint(dst, b.Times[i])
		dst = append(dst, `,"time":"`...)
		dst = timefmt.AppendRFC3339(dst, b.Times[i])
		if i == from {
			midStart = len(dst)
			dst = f.appendFormat(dst, b)
			midEnd = len(dst)
		} else {
			dst = append(dst, dst[midStart:midEnd]...)
		}
		dst = f.appendValues(dst, b, i)
		dst = append(dst, "]}\n"...)
	}
	return dst
}

// appendFormat appends the end of the time field, the format of the
// printed columns and the start of the values.
func (f *JSONFormatter) appendFormat(dst []byte, b *format.Block) []byte {
	dst = append(dst, `","format":"`...)
	for col := range b.Cols {
		if f.Columns.Has(col) {
			dst = append(dst, b.Format[col])
		}
	}
	return append(dst, `","values":[`...)
}

// appendValues appends the selected values of row i, comma-separated.
func (f *JSONFormatter) appendValues(dst []byte, b *format.Block, i int) []byte {
	sep := false
	for col := range b.Cols {
		if !f.Columns.Has(col) {
			continue
		}
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		code := b.Format.Code(col)
		switch {
		case code == format.Str:
			dst = AppendJSONString(dst, b.Bytes(col, i))
		case code == format.Bin:
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, b.Bytes(col, i))
			dst = append(dst, '"')
		case code.Float():
			dst = appendJSONFloat(dst, code, b.Cols[col].Nums[i])
		default:
			dst = AppendValue(dst, code, b.Cols[col].Nums[i], nil)
		}
	}
	return dst
}

// appendJSONFloat appends a float value as a JSON number, or NaN and the
// infinities as the strings "NaN", "inf" and "-inf".
func appendJSONFloat(dst []byte, c format.Code, num uint64) []byte {
	v := c.AsFloat64(num)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		dst = append(dst, '"')
		dst = appendFloatSpecial(dst, v < 0, math.IsNaN(v))
		return append(dst, '"')
	}
	return appendShortFloat(dst, c, v)
}

// appendShortFloat appends finite v in the shortest form that reads back
// as the same value of c's width, in plain notation for 1e-6 <= |v| < 1e21
// and in exponent notation outside (as JavaScript and encoding/json print
// numbers), so that spreadsheets and jq see 123456789, not 1.23456789e+08.
func appendShortFloat(dst []byte, c format.Code, v float64) []byte {
	bitSize := 64
	if c == format.F32 {
		bitSize = 32
	}
	fmt := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmt = 'e'
	}
	dst = strconv.AppendFloat(dst, v, fmt, -1, bitSize)
	if n := len(dst); fmt == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		// 1e-07 -> 1e-7
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst
}

// jsonSafe marks the ASCII bytes that a JSON string holds as they are:
// everything but the control characters, the quote and the backslash.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a quoted JSON string. The quote, the
// backslash and the control characters are escaped (\n, \t, \r, \b, \f,
// else \u00XX); valid UTF-8 is copied raw; each byte of invalid UTF-8
// becomes \ufffd, so that the output is always valid JSON (as
// encoding/json does).
func AppendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendJSONEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONEscape appends the escape of an ASCII byte that JSON strings
// cannot hold raw.
func appendJSONEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, `\n`...)
	case '\t':
		return append(dst, `\t`...)
	case '\r':
		return append(dst, `\r`...)
	case '\b':
		return append(dst, `\b`...)
	case '\f':
		return append(dst, `\f`...)
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
