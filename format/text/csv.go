package text

import (
	"encoding/base64"
	"math"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/decimal"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// CSVFormatter prints rows as CSV (RFC 4180) under a header
//
//	key,ts,time,v1,...,vN
//
// with one line per row: the key, the exact integer of nanoseconds, the
// same instant in RFC 3339 (see AppendRFC3339), then the values: integers
// in decimal, floats in their shortest round-trip form (NaN, inf, -inf as
// words), s values as they are, B values in base64. A row narrower than
// the header leaves its trailing cells empty; an empty s or B value is
// printed as "" so that it stays apart from a missing one for readers that
// tell them apart (DuckDB: "" is the empty string, nothing is NULL). A
// cell is quoted when it holds a comma, a quote, CR or LF, its quotes
// doubled. Lines end in LF, which every CSV reader accepts. Keys and s
// values are written as their bytes, UTF-8 or not.
//
// It is safe for concurrent use.
type CSVFormatter struct {
	// Width is the number of value columns of the header: that of the
	// widest format among the rows to print, known before printing them
	// (from the index). A row wider than Width, which only a reader that
	// could not know it beforehand meets (read --follow), prints all its
	// values: nothing is ever cut.
	Width int
	// Columns selects the value columns printed; nil prints all. The
	// header names the selected columns by their 1-based numbers (v2,v4).
	Columns *ColumnSet
	// Names, when set, names the header's value columns instead (as
	// aggregated rows have them: v1_mean,v1_max).
	Names []string
}

// AppendHeader appends the header line.
func (f *CSVFormatter) AppendHeader(dst []byte) []byte {
	dst = append(dst, "key,ts,time"...)
	if f.Names != nil {
		for _, name := range f.Names {
			dst = appendCSVCell(append(dst, ','), []byte(name))
		}
		return append(dst, '\n')
	}
	for col := range f.Width {
		if f.Columns.Has(col) {
			dst = append(dst, ",v"...)
			dst = decimal.AppendUint(dst, uint64(col+1))
		}
	}
	return append(dst, '\n')
}

// AppendRows appends the lines of rows [from, to) of b, each ending in
// '\n'. The key cell is rendered once per call.
func (f *CSVFormatter) AppendRows(dst []byte, b *format.Block, from, to int) []byte {
	if from >= to {
		return dst
	}
	start := len(dst)
	dst = appendCSVCell(dst, b.Key)
	dst = append(dst, ',')
	keyEnd := len(dst)
	for i := from; i < to; i++ {
		if i > from {
			dst = append(dst, dst[start:keyEnd]...)
		}
		dst = decimal.AppendUint(dst, b.Times[i])
		dst = append(dst, ',')
		dst = timefmt.AppendRFC3339(dst, b.Times[i])
		dst = f.appendValues(dst, b, i)
		dst = append(dst, '\n')
	}
	return dst
}

// appendValues appends a comma and a cell for each selected column up to
// the header's width or the row's, whichever is wider.
func (f *CSVFormatter) appendValues(dst []byte, b *format.Block, i int) []byte {
	for col := range max(f.Width, len(b.Cols)) {
		if !f.Columns.Has(col) {
			continue
		}
		dst = append(dst, ',')
		if col >= len(b.Cols) {
			continue
		}
		code := b.Format.Code(col)
		switch {
		case code == format.Str:
			dst = appendCSVString(dst, b.Bytes(col, i))
		case code == format.Bin:
			dst = appendCSVBase64(dst, b.Bytes(col, i))
		case code.Float():
			dst = appendCSVFloat(dst, code, b.Cols[col].Nums[i])
		default:
			dst = AppendValue(dst, code, b.Cols[col].Nums[i], nil)
		}
	}
	return dst
}

func appendCSVString(dst, s []byte) []byte {
	if len(s) == 0 {
		return append(dst, `""`...)
	}
	return appendCSVCell(dst, s)
}

func appendCSVBase64(dst, s []byte) []byte {
	if len(s) == 0 {
		return append(dst, `""`...)
	}
	return base64.StdEncoding.AppendEncode(dst, s)
}

// appendCSVFloat appends a float in its shortest round-trip form, or NaN,
// inf or -inf.
func appendCSVFloat(dst []byte, c format.Code, num uint64) []byte {
	v := c.AsFloat64(num)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return appendFloatSpecial(dst, v < 0, math.IsNaN(v))
	}
	return appendShortFloat(dst, c, v)
}

// csvSpecial marks the bytes that make a cell need quotes.
var csvSpecial = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// appendCSVCell appends s as one cell, quoted only when it must be.
func appendCSVCell(dst, s []byte) []byte {
	quote := false
	for _, c := range s {
		if csvSpecial[c] {
			quote = true
			break
		}
	}
	if !quote {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	start := 0
	for i, c := range s {
		if c == '"' {
			dst = append(dst, s[start:i+1]...)
			dst = append(dst, '"')
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
