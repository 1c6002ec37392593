package text

import (
	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/decimal"
)

// RowFormatter prints rows as read does, one line per row:
//
//	KEY<TAB>TIMESTAMP<TAB>[FORMAT<TAB>]V1 V2 ...
//
// The key and s values are escaped (see AppendEscaped), the format is
// printed raw, and values are separated by single spaces (see AppendValue).
// The zero value prints every column with timestamps in nanoseconds.
type RowFormatter struct {
	// AppendTime appends a timestamp given in nanoseconds since the epoch;
	// nil appends the decimal nanoseconds.
	AppendTime func(dst []byte, ns uint64) []byte
	// PrintFormat adds the row's whole format after the timestamp, even
	// when Columns selects only some columns, so that the line says how
	// the stored row is typed.
	PrintFormat bool
	// Columns selects the value columns printed, in row order; nil prints
	// all. With none selected a line ends with the tab after the
	// timestamp (or the format), as in sonnerie.
	Columns *ColumnSet
}

// AppendRows appends the lines of rows [from, to) of b, each ending in
// '\n', and returns the extended buffer. The key is escaped once per call
// and copied to the following lines, so a caller should pass runs of rows
// rather than one row at a time.
func (f *RowFormatter) AppendRows(dst []byte, b *format.Block, from, to int) []byte {
	if from >= to {
		return dst
	}
	start := len(dst)
	dst = AppendEscaped(dst, b.Key)
	dst = append(dst, '\t')
	end := len(dst)
	for i := from; i < to; i++ {
		if i > from {
			dst = append(dst, dst[start:end]...)
		}
		dst = f.appendTime(dst, b.Times[i])
		dst = append(dst, '\t')
		if f.PrintFormat {
			dst = append(dst, b.Format...)
			dst = append(dst, '\t')
		}
		dst = f.appendValues(dst, b, i)
		dst = append(dst, '\n')
	}
	return dst
}

// appendTime appends ns with AppendTime or in decimal.
func (f *RowFormatter) appendTime(dst []byte, ns uint64) []byte {
	if f.AppendTime != nil {
		return f.AppendTime(dst, ns)
	}
	return decimal.AppendUint(dst, ns)
}

// appendValues appends the selected values of row i, space-separated.
func (f *RowFormatter) appendValues(dst []byte, b *format.Block, i int) []byte {
	sep := false
	for col := range b.Cols {
		if !f.Columns.Has(col) {
			continue
		}
		if sep {
			dst = append(dst, ' ')
		}
		sep = true
		code := b.Format.Code(col)
		if code.Variable() {
			dst = AppendValue(dst, code, 0, b.Bytes(col, i))
		} else {
			dst = AppendValue(dst, code, b.Cols[col].Nums[i], nil)
		}
	}
	return dst
}
