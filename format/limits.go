package format

import (
	"errors"
	"fmt"
)

// Limits of the row model, the same in every layer: the segment layout
// checks them when decoding, the text codec when parsing, transactions
// when writing.
const (
	MaxKeyLen   = 65536    // bytes of one key (keys are never empty)
	MaxValueLen = 16 << 20 // bytes of one s or B value
	// MaxLineLen is the default longest line of text input
	// (Limits.MaxLineLen).
	MaxLineLen = 16 << 20
	// MaxLineLenLimit is the largest Limits.MaxLineLen allowed: the text
	// reader buffers up to two lines.
	MaxLineLenLimit = 1 << 30
)

// Limits bound what a data transaction accepts (add, serve PUT, Tx.Write
// after Begin); compaction outputs are not bound, so that lowering a limit
// never makes existing data impossible to compact. A zero field means its
// default. Open refuses a value above the file format's maximum or a
// negative one.
type Limits struct {
	// MaxKeyLen is the longest key, in bytes: default and maximum
	// MaxKeyLen (65,536). Keys are never empty.
	MaxKeyLen int
	// MaxLineLen is the longest line of text input, in bytes, without its
	// line ending: default 16 MiB, maximum MaxLineLenLimit.
	MaxLineLen int
	// MaxValueLen is the longest s or B value, in bytes (decoded): default
	// and maximum MaxValueLen (16 MiB).
	MaxValueLen int
}

// ErrLimit is wrapped by the errors of input over a limit.
var ErrLimit = errors.New("over the limit")

// WithDefaults fills in zero fields and checks the others.
func (l Limits) WithDefaults() (Limits, error) {
	fields := []struct {
		v        *int
		def, max int
		name     string
	}{
		{&l.MaxKeyLen, MaxKeyLen, MaxKeyLen, "MaxKeyLen"},
		{&l.MaxLineLen, MaxLineLen, MaxLineLenLimit, "MaxLineLen"},
		{&l.MaxValueLen, MaxValueLen, MaxValueLen, "MaxValueLen"},
	}
	for _, f := range fields {
		switch {
		case *f.v == 0:
			*f.v = f.def
		case *f.v < 0 || *f.v > f.max:
			return l, fmt.Errorf("limit %s = %d: want 1 to %d", f.name, *f.v, f.max)
		}
	}
	return l, nil
}

// CheckKey refuses a key over the limit. It is small enough to inline:
// add checks every line's key.
func (l *Limits) CheckKey(key []byte) error {
	if len(key) > l.MaxKeyLen {
		return l.keyError(key)
	}
	return nil
}

func (l *Limits) keyError(key []byte) error {
	return fmt.Errorf("%w: key %s is %d bytes long, the limit is %d", ErrLimit, Quote(key), len(key), l.MaxKeyLen)
}

// CheckLine refuses an input line (without its newline) over the limit.
// It is small enough to inline: add checks every line.
func (l *Limits) CheckLine(line []byte) error {
	if len(line) > l.MaxLineLen { // maybe: a final '\r' does not count
		return l.lineError(line)
	}
	return nil
}

// lineError is CheckLine's error, or nil for a line that fits once its
// final '\r' is dropped.
func (l *Limits) lineError(line []byte) error {
	n := len(line)
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	if n > l.MaxLineLen {
		return fmt.Errorf("%w: the line starting %s is %d bytes long, the limit is %d", ErrLimit, Quote(line), n, l.MaxLineLen)
	}
	return nil
}

// CheckValues refuses values over the limit in rows [from, b.Len()) of b.
func (l *Limits) CheckValues(b *Block, from int) error {
	for col := range b.Cols {
		if !b.Format.Code(col).Variable() {
			continue
		}
		for i := from; i < b.Len(); i++ {
			if v := b.Bytes(col, i); len(v) > l.MaxValueLen {
				return fmt.Errorf("%w: value %s for column %d (%c) is %d bytes long, the limit is %d",
					ErrLimit, Quote(v), col+1, b.Format[col], len(v), l.MaxValueLen)
			}
		}
	}
	return nil
}

// CheckBlock refuses a block of the Go API that breaks a limit.
func (l *Limits) CheckBlock(b *Block) error {
	if b.Len() == 0 {
		return nil
	}
	if err := l.CheckKey(b.Key); err != nil {
		return err
	}
	return l.CheckValues(b, 0)
}

// Or fills the zero fields of l from def.
func (l Limits) Or(def Limits) Limits {
	for _, f := range [...]struct{ v, def *int }{{&l.MaxKeyLen, &def.MaxKeyLen}, {&l.MaxLineLen, &def.MaxLineLen}, {&l.MaxValueLen, &def.MaxValueLen}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}
