package text

import (
	"fmt"

	"github.com/chime-tsdb/chime/format"
)

// The row outputs of read and of serve's GET.
const (
	OutputText = "text" // sonnerie's lines (RowFormatter); "" means it too
	OutputCSV  = "csv"  // a header, then RFC 4180 records (CSVFormatter)
	OutputJSON = "json" // one object per line (JSONFormatter)
)

// Output is a chosen row output: its renderer, and for CSV the header,
// which needs the width of the widest row (known from an index) before
// the first row is printed.
type Output struct {
	Kind   string
	Render func(dst []byte, b *format.Block, from, to int) []byte
	csv    *CSVFormatter
}

// NewOutput returns the output of kind: text rendered by rf, or CSV or JSON
// of the columns rf selects (rf's timestamp and format options shape text
// only; callers refuse them with the others).
func NewOutput(kind string, rf *RowFormatter) (*Output, error) {
	switch kind {
	case "", OutputText:
		return &Output{Kind: OutputText, Render: rf.AppendRows}, nil
	case OutputJSON:
		return &Output{Kind: kind, Render: (&JSONFormatter{Columns: rf.Columns}).AppendRows}, nil
	case OutputCSV:
		f := &CSVFormatter{Columns: rf.Columns}
		return &Output{Kind: kind, Render: f.AppendRows, csv: f}, nil
	}
	return nil, fmt.Errorf("output %q: want text, csv or json", kind)
}

// NeedsWidth reports whether Header needs the width of the widest row.
func (o *Output) NeedsWidth() bool { return o.csv != nil }

// Header sizes the output to rows width columns wide, their columns named
// names (nil: v1..vN), and returns what to print before the first row:
// CSV's header, nothing for the others.
func (o *Output) Header(width int, names []string) []byte {
	if o.csv == nil {
		return nil
	}
	o.csv.Width, o.csv.Names = width, names
	return o.csv.AppendHeader(nil)
}
