package tsdb

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/chime-tsdb/chime/format"
)

// Limits bound what a data transaction accepts (add, serve PUT, Tx.Write
// after Begin); compaction outputs are not bound, so that lowering a limit
// never makes existing data impossible to compact. A zero field means its
// default. Open refuses a value above the file format's maximum or a
// negative one.
type Limits struct {
	// MaxKeyLen is the longest key, in bytes: default and maximum
	// format.MaxKeyLen (65,536). Keys are never empty.
	MaxKeyLen int
	// MaxLineLen is the longest line of text input, in bytes, without its
	// line ending: default 16 MiB, maximum MaxLineLenLimit.
	MaxLineLen int
	// MaxValueLen is the longest s or B value, in bytes (decoded): default
	// and maximum format.MaxValueLen (16 MiB).
	MaxValueLen int
}

// Defaults and maxima of Limits and Options.MinFree.
const (
	// MaxLineLenLimit is the largest Limits.MaxLineLen allowed: the text
	// reader buffers up to two lines.
	MaxLineLenLimit = 1 << 30
	// DefaultMinFree is the default Options.MinFree: a commit needs room
	// for its file, and a disk filled to the last byte makes every other
	// program (and the next compaction) fail too.
	DefaultMinFree = 64 << 20
)

// ErrLimit is wrapped by the errors of input over a limit.
var ErrLimit = errors.New("over the limit")

// ErrDiskFull is wrapped when a transaction is refused because the free
// disk space is below Options.MinFree.
var ErrDiskFull = errors.New("not enough free disk space")

// withDefaults fills in zero fields and checks the others.
func (l Limits) withDefaults() (Limits, error) {
	fields := []struct {
		v        *int
		def, max int
		name     string
	}{
		{&l.MaxKeyLen, format.MaxKeyLen, format.MaxKeyLen, "MaxKeyLen"},
		{&l.MaxLineLen, MaxLineLen, MaxLineLenLimit, "MaxLineLen"},
		{&l.MaxValueLen, format.MaxValueLen, format.MaxValueLen, "MaxValueLen"},
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

// checkKey refuses a key over the limit.
func (l *Limits) checkKey(key []byte) error {
	if len(key) > l.MaxKeyLen {
		return fmt.Errorf("%w: key %s is %d bytes long, the limit is %d", ErrLimit, quote(key), len(key), l.MaxKeyLen)
	}
	return nil
}

// checkLine refuses an input line (without its newline) over the limit.
func (l *Limits) checkLine(line []byte) error {
	n := len(line)
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	if n > l.MaxLineLen {
		return fmt.Errorf("%w: the line starting %s is %d bytes long, the limit is %d", ErrLimit, quote(line), n, l.MaxLineLen)
	}
	return nil
}

// checkRows refuses values over the limit in rows [from, b.Len()) of b.
func (l *Limits) checkRows(b *format.Block, from int) error {
	for col := range b.Cols {
		if !b.Format.Code(col).Variable() {
			continue
		}
		for i := from; i < b.Len(); i++ {
			if v := b.Bytes(col, i); len(v) > l.MaxValueLen {
				return fmt.Errorf("%w: value %s for column %d (%c) is %d bytes long, the limit is %d",
					ErrLimit, quote(v), col+1, b.Format[col], len(v), l.MaxValueLen)
			}
		}
	}
	return nil
}

// checkBlock refuses a block of the Go API that breaks a limit.
func (l *Limits) checkBlock(b *format.Block) error {
	if b.Len() == 0 {
		return nil
	}
	if err := l.checkKey(b.Key); err != nil {
		return err
	}
	return l.checkRows(b, 0)
}

// quote quotes the first 64 bytes of b for an error message.
func quote(b []byte) string {
	const limit = 64
	if len(b) > limit {
		return strconv.Quote(string(b[:limit])) + "..."
	}
	return strconv.Quote(string(b))
}

// minFree is the effective Options.MinFree in bytes (0: no check).
func (o *Options) minFree() uint64 {
	switch {
	case o.MinFree < 0:
		return 0
	case o.MinFree == 0:
		return DefaultMinFree
	}
	return uint64(o.MinFree)
}

// checkFree refuses to start a data transaction when the free disk space
// is below the floor. An unknown free space does not refuse: the writes
// will tell.
func (db *DB) checkFree() error {
	floor := db.opts.minFree()
	if floor == 0 {
		return nil
	}
	free, err := db.fs.Free()
	if err != nil || free >= floor {
		return nil
	}
	return fmt.Errorf("%w in %s: %d bytes free, %d needed (the free-space floor)", ErrDiskFull, db.dir, free, floor)
}

// or fills the zero fields of l from def.
func (l Limits) or(def Limits) Limits {
	for _, f := range [...]struct{ v, def *int }{{&l.MaxKeyLen, &def.MaxKeyLen}, {&l.MaxLineLen, &def.MaxLineLen}, {&l.MaxValueLen, &def.MaxValueLen}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}
