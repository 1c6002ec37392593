package text

import (
	"errors"

	"github.com/chime-tsdb/chime/format"
)

var errNoFormat = errors.New("missing format")

// TimeAndFormat reads the timestamp and the format of a line that carries
// its own format, `KEY TIMESTAMP FORMAT VALUE...` (compact --gegnum output,
// serve PUT bodies), from rest, what Key returned. It returns the rest of
// the line, the values, for AppendValues.
func (p *LineParser) TimeAndFormat(rest []byte) (ts uint64, f format.Format, values []byte, err error) {
	ts, rest, err = p.timestamp(rest)
	if err != nil {
		return 0, "", nil, err
	}
	tok, rest, err := p.next(rest)
	if err != nil {
		return 0, "", nil, err
	}
	if tok == nil {
		return 0, "", nil, errNoFormat
	}
	// Lines mostly repeat the previous format: compare before allocating.
	if string(tok) != string(p.lineFormat) {
		if p.lineFormat, err = format.ParseFormat(string(tok)); err != nil {
			return 0, "", nil, err
		}
	}
	return ts, p.lineFormat, rest, nil
}

// AppendValues appends one row at time ts, with the values in values
// (from TimeAndFormat), to b, in b's format; it sets p.Format to b's. On
// error b is unchanged.
func (p *LineParser) AppendValues(b *format.Block, ts uint64, values []byte) error {
	p.Format = b.Format
	n := b.Len()
	b.Times = append(b.Times, ts)
	if err := p.appendValues(b, values); err != nil {
		b.Truncate(n)
		return err
	}
	return nil
}
