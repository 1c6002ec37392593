package text

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// JSONOptions describe JSON lines for ParseJSON. The zero value reads
// what read -o json writes.
type JSONOptions struct {
	// Format is the format of objects without a "format" field.
	Format format.Format
	// ParseTime converts "time" strings (used when an object has no
	// "ts"); nil reads RFC 3339 (timefmt.ParseInput).
	ParseTime func([]byte) (uint64, error)
	// Limits bound keys, lines and values; zero fields mean the defaults.
	Limits format.Limits
}

// jsonRow is one object of read -o json.
type jsonRow struct {
	Key    *string           `json:"key"`
	TS     json.RawMessage   `json:"ts"`
	Time   *string           `json:"time"`
	Format *string           `json:"format"`
	Values []json.RawMessage `json:"values"`
}

// ParseJSON reads JSON lines, one object per line in the schema of read
// -o json ({"key":..,"ts":..,"time":..,"format":..,"values":[..]}), and
// passes the rows to write in input order as blocks of one key and one
// format. The time is ts (integer nanoseconds) or else time (RFC 3339);
// the format is the object's, or Format. Integers must be exact JSON
// numbers; floats numbers or "NaN", "inf", "-inf"; s values strings; B
// values base64 strings. Blank lines are skipped. Errors name the line and
// the field; an order error returned by write gets the line of its row.
func ParseJSON(r io.Reader, o JSONOptions, write func(*format.Block) error) error {
	lim, err := o.Limits.WithDefaults()
	if err != nil {
		return err
	}
	p := &jsonParser{o: &o, parse: o.ParseTime, rowBlocks: rowBlocks{lim: &lim, write: write}}
	if p.parse == nil {
		p.parse = timefmt.ParseInput
	}
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			long = append(long[:0], b...)
			if len(long) > lim.MaxLineLen+2 {
				return &CellError{Line: line, Err: fmt.Errorf("%w: the line starting %s is longer than the limit of %d bytes", format.ErrLimit, format.Quote(long), lim.MaxLineLen)}
			}
			b, err = br.ReadSlice('\n')
			b = append(long, b...)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read input: %w", err)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			if err := lim.CheckLine(bytes.TrimRight(b, "\n")); err != nil {
				return &CellError{Line: line, Err: err}
			}
			if perr := p.line(line, t); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			return p.flush()
		}
	}
}

// jsonParser turns objects into blocks.
type jsonParser struct {
	o     *JSONOptions
	parse func([]byte) (uint64, error)
	tok   []byte
	rowBlocks
}

// line adds the row of one object.
func (p *jsonParser) line(line int, text []byte) error {
	var row jsonRow
	if err := json.Unmarshal(text, &row); err != nil {
		return &CellError{Line: line, Err: fmt.Errorf("not a JSON object of read -o json: %v", err)}
	}
	if row.Key == nil || *row.Key == "" {
		return &CellError{Line: line, Column: "key", Err: errors.New("missing or empty key")}
	}
	key := []byte(*row.Key)
	if err := p.lim.CheckKey(key); err != nil {
		return &CellError{Line: line, Column: "key", Err: err}
	}
	ts, field, err := p.time(&row)
	if err != nil {
		return &CellError{Line: line, Column: field, Err: err}
	}
	f, err := p.format(&row)
	if err != nil {
		return &CellError{Line: line, Column: "format", Err: err}
	}
	if len(row.Values) != f.Len() {
		return &CellError{Line: line, Column: "values", Err: fmt.Errorf("%d values for format %s", len(row.Values), f)}
	}
	return p.add(line, key, ts, f, row.Values)
}

// time reads ts, or else time.
func (p *jsonParser) time(row *jsonRow) (uint64, string, error) {
	if len(row.TS) > 0 && string(row.TS) != "null" {
		ts, err := strconv.ParseUint(string(row.TS), 10, 64)
		if err != nil {
			return 0, "ts", fmt.Errorf("%s is not integer nanoseconds", row.TS)
		}
		return ts, "", nil
	}
	if row.Time == nil {
		return 0, "ts", errors.New("missing ts and time")
	}
	ts, err := p.parse([]byte(*row.Time))
	return ts, "time", err
}

// format reads the object's format, or the default.
func (p *jsonParser) format(row *jsonRow) (format.Format, error) {
	if row.Format == nil {
		if p.o.Format == "" {
			return "", errors.New("missing format, and no -f")
		}
		return p.o.Format, nil
	}
	return format.ParseFormat(*row.Format)
}

// add appends one row.
func (p *jsonParser) add(line int, key []byte, ts uint64, f format.Format, vals []json.RawMessage) error {
	n, err := p.begin(key, ts, f)
	if err != nil {
		return err
	}
	for c, raw := range vals {
		if err := p.value(c, f.Code(c), raw, c == len(vals)-1); err != nil {
			p.blk.Truncate(n)
			return &CellError{Line: line, Column: fmt.Sprintf("values[%d]", c), Err: err}
		}
	}
	return p.end(line, n)
}

// value appends one value of code c: strings are unquoted first (s and B
// values, the float words), numbers parsed from their text.
func (p *jsonParser) value(col int, c format.Code, raw json.RawMessage, last bool) error {
	tok := []byte(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if !c.Variable() && !c.Float() {
			return fmt.Errorf("%s is a string, not a %c number", raw, c)
		}
		p.tok = append(p.tok[:0], s...)
		tok = p.tok
		if c.Variable() && len(tok) == 0 && !last {
			return errors.New("an empty value before the last column, which a chime row cannot hold")
		}
	} else if c.Variable() {
		return fmt.Errorf("%s is not a string, as %c values are", raw, c)
	}
	if err := appendValue(&p.blk, col, tok); err != nil {
		return fmt.Errorf("%s as %c: %w", format.Quote(tok), c, err)
	}
	return nil
}
