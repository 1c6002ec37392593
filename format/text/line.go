package text

import (
	"errors"
	"fmt"

	"github.com/chime-tsdb/chime/format"
)

var (
	errNoFormat = errors.New("missing format")
	errNoTime   = errors.New("missing timestamp")
	errTooLong  = fmt.Errorf("longer than %d bytes", format.MaxValueLen)
)

// LineParser parses add lines of one format: `KEY TIMESTAMP VALUE...`, one
// token each (see NextToken). It is split in two calls, Key then AppendRow,
// so that the caller can start a new Block when the key changes and check
// the ordering of keys and timestamps itself.
//
// A LineParser reuses its scratch memory from line to line, so parsing
// allocates nothing in the steady state; it is not safe for concurrent use.
// The zero value is not usable: set Format.
type LineParser struct {
	// Format is the format of every line.
	Format format.Format
	// ParseTime converts the timestamp token to nanoseconds since the
	// epoch; nil means ParseNanos (integer nanoseconds).
	ParseTime func(tok []byte) (uint64, error)

	checked    format.Format // the Format found valid
	keyBuf     []byte        // unescaped key when it holds escapes
	valBuf     []byte        // unescaped token when it holds escapes
	lineFormat format.Format // the last format of TimeAndFormat
}

// Key returns the unescaped key of line and the rest of the line, for
// AppendRow. key aliases line or the parser's memory: it is valid until the
// next call to Key and while line is unchanged. A trailing LF or CRLF is
// ignored. A blank line returns key == nil with a nil error. A key longer
// than MaxKeyLen is an error here rather than when the segment is written,
// so that the error names the line.
func (p *LineParser) Key(line []byte) (key, rest []byte, err error) {
	line = trimNewline(line)
	key, rest, p.keyBuf, err = NextToken(line, p.keyBuf)
	if err != nil {
		return nil, nil, fmt.Errorf("key: %w", err)
	}
	if len(key) > format.MaxKeyLen {
		return nil, nil, fmt.Errorf("key %s of %d bytes is too long (at most %d)", format.Quote(key), len(key), format.MaxKeyLen)
	}
	return key, rest, nil
}

// trimNewline drops a trailing "\n", "\r\n" or "\r".
func trimNewline(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line
}

// AppendRow parses the timestamp and values in rest, the remainder that
// Key returned, and appends one row to b, whose format must be p.Format
// (its key is the caller's business). On error b is unchanged, so that a
// caller may report the error and go on. Missing trailing s and B values
// are empty; any other missing value, or an extra one, is an error. Errors
// name the offending text; the caller adds the line number.
func (p *LineParser) AppendRow(b *format.Block, rest []byte) error {
	if b.Format != p.Format {
		return fmt.Errorf("a parser of format %q cannot append to a block of format %q", p.Format, b.Format)
	}
	if err := p.checkFormat(); err != nil {
		return err
	}
	n := b.Len()
	if err := p.appendRow(b, rest); err != nil {
		b.Truncate(n)
		return err
	}
	return nil
}

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

// checkFormat refuses an invalid Format once, so that a parser built from
// a string literal fails with an error, never a panic.
func (p *LineParser) checkFormat() error {
	if p.checked == p.Format && p.Format != "" {
		return nil
	}
	if _, err := format.ParseFormat(string(p.Format)); err != nil {
		return err
	}
	p.checked = p.Format
	return nil
}

// appendRow is AppendRow, leaving a partial row behind on error.
func (p *LineParser) appendRow(b *format.Block, rest []byte) error {
	ts, rest, err := p.timestamp(rest)
	if err != nil {
		return err
	}
	b.Times = append(b.Times, ts)
	return p.appendValues(b, rest)
}

// timestamp reads the timestamp token of rest and converts it with
// ParseTime, or ParseNanos when that is nil. It returns what follows.
func (p *LineParser) timestamp(rest []byte) (uint64, []byte, error) {
	if p.ParseTime == nil {
		if ts, after, ok := plainNanos(rest); ok {
			return ts, after, nil
		}
	}
	tok, rest, err := p.next(rest)
	if err != nil {
		return 0, nil, err
	}
	if tok == nil {
		return 0, nil, errNoTime
	}
	var ts uint64
	if p.ParseTime != nil {
		ts, err = p.ParseTime(tok)
	} else {
		ts, err = ParseNanos(tok) // called directly: the common case
	}
	if err != nil {
		return 0, nil, fmt.Errorf("timestamp %s: %w", format.Quote(tok), err)
	}
	return ts, rest, nil
}

// appendValues parses the values in rest onto the row whose time is
// already in b. It is apart from appendRow for lines that carry a format
// between the timestamp and the values (compact --gegnum output, serve PUT
// bodies), whose caller must read the format before choosing the block.
func (p *LineParser) appendValues(b *format.Block, rest []byte) error {
	for col := range len(p.Format) {
		if v, after, ok := plainNum(p.Format.Code(col), rest); ok {
			b.Cols[col].Nums = append(b.Cols[col].Nums, v)
			rest = after
			continue
		}
		tok, newRest, err := p.next(rest)
		rest = newRest
		if err != nil {
			return err
		}
		if tok == nil {
			return p.appendMissing(b, col)
		}
		if err := appendValue(b, col, tok); err != nil {
			return fmt.Errorf("value %s for column %d (%c): %w", format.Quote(tok), col+1, p.Format[col], err)
		}
	}
	if extra := countTokens(rest); extra > 0 {
		return p.countError(len(p.Format) + extra)
	}
	return nil
}

// next returns the next token of rest, unescaped into p.valBuf if need be.
func (p *LineParser) next(rest []byte) (tok, newRest []byte, err error) {
	tok, newRest, p.valBuf, err = NextToken(rest, p.valBuf)
	return tok, newRest, err
}

// appendValue parses tok, the value of column col, onto b's column.
func appendValue(b *format.Block, col int, tok []byte) error {
	c := &b.Cols[col]
	switch code := b.Format.Code(col); code {
	case format.Str:
		if len(tok) > format.MaxValueLen {
			return errTooLong
		}
		b.AppendBytes(col, tok)
	case format.Bin:
		start := len(c.Data)
		data, err := appendBase64(c.Data, tok)
		c.Data = data
		if err != nil {
			return err
		}
		if len(data)-start > format.MaxValueLen {
			return errTooLong
		}
		c.Ends = append(c.Ends, uint32(len(c.Data)))
	default:
		v, err := parseNum(code, tok)
		if err != nil {
			return err
		}
		c.Nums = append(c.Nums, v)
	}
	return nil
}

// appendMissing completes a row that has values for the columns before
// col only: missing trailing s and B values are empty, as in sonnerie,
// where a string could be empty only that way.
func (p *LineParser) appendMissing(b *format.Block, col int) error {
	for i := col; i < len(p.Format); i++ {
		if !p.Format.Code(i).Variable() {
			return p.countError(col)
		}
	}
	for i := col; i < len(p.Format); i++ {
		b.AppendBytes(i, nil)
	}
	return nil
}

// countError reports a line with n values, the wrong number.
func (p *LineParser) countError(n int) error {
	noun := "values"
	if n == 1 {
		noun = "value"
	}
	return fmt.Errorf("%d %s for format %q (want %d)", n, noun, p.Format, len(p.Format))
}

// countTokens counts the tokens of rest, for the error on extra values. A
// token with a bad escape still counts.
func countTokens(rest []byte) int {
	n := 0
	for i := 0; i < len(rest); {
		for i < len(rest) && isBlank(rest[i]) {
			i++
		}
		if i == len(rest) {
			break
		}
		n++
		for i < len(rest) && !isBlank(rest[i]) {
			if rest[i] == '\\' {
				i++
			}
			i++
		}
	}
	return n
}
