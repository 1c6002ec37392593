package format

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrUnsorted is wrapped by the errors of input rows out of (key, time)
// order.
var ErrUnsorted = errors.New("input must be sorted by key, then by strictly increasing time within a key")

// OrderError is a row that does not follow the row before it in (key,
// time) order: Row is its index in the block that brought it, so that the
// reader of the input can say where it was.
type OrderError struct {
	Row          int
	Key, PrevKey []byte
	TS, PrevTS   uint64
}

func (e *OrderError) Error() string {
	if bytes.Equal(e.Key, e.PrevKey) {
		return fmt.Sprintf("%v: key %s: timestamp %d is not after timestamp %d of the row before", ErrUnsorted, Quote(e.Key), e.TS, e.PrevTS)
	}
	return fmt.Sprintf("%v: key %s comes after key %s", ErrUnsorted, Quote(e.Key), Quote(e.PrevKey))
}

func (e *OrderError) Unwrap() error { return ErrUnsorted }

// OrderCheck checks that the rows of successive blocks are sorted by key,
// then by strictly increasing time within a key. The zero value expects
// a first row.
type OrderCheck struct {
	key     []byte
	ts      uint64
	started bool
}

// Check checks the rows of b after those checked before. After an error
// the check is over: its state is undefined.
func (c *OrderCheck) Check(b *Block) error {
	if b.Len() == 0 {
		return nil
	}
	cmp := bytes.Compare(b.Key, c.key)
	if c.started && cmp < 0 {
		return c.fail(b, 0)
	}
	i := 0
	if !c.started || cmp > 0 {
		c.key = append(c.key[:0], b.Key...)
		c.ts, c.started, i = b.Times[0], true, 1
	}
	for ; i < len(b.Times); i++ {
		if b.Times[i] <= c.ts {
			return c.fail(b, i)
		}
		c.ts = b.Times[i]
	}
	return nil
}

func (c *OrderCheck) fail(b *Block, i int) error {
	return &OrderError{Row: i, Key: bytes.Clone(b.Key), PrevKey: bytes.Clone(c.key), TS: b.Times[i], PrevTS: c.ts}
}
