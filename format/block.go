package format

import (
	"fmt"
	"slices"
)

// Column holds the values of one column of a Block.
//
// Numeric columns use Nums (see Code for the bit layout). Variable columns
// (s and B) keep every value back to back in Data, value i ending at Ends[i]
// and starting where value i-1 ended (or at 0).
type Column struct {
	Nums []uint64
	Ends []uint32
	Data []byte
}

// Block is a run of rows of one key and one format, stored by column: the
// unit that the text parser fills, the segment writer encodes, the segment
// reader decodes and the text formatter prints.
//
// Times are the row timestamps in nanoseconds. Within a block they are
// strictly increasing once it has been checked by an Appender or decoded
// from a file. A Block owns its slices; Reset keeps their capacity.
type Block struct {
	Key    []byte
	Format Format
	Times  []uint64
	Cols   []Column
}

// Reset empties b and gives it a key and a format, reusing its memory.
func (b *Block) Reset(key []byte, f Format) {
	b.Key = append(b.Key[:0], key...)
	b.Format = f
	b.Times = b.Times[:0]
	n := f.Len()
	if cap(b.Cols) < n {
		cols := make([]Column, n)
		copy(cols, b.Cols[:cap(b.Cols)])
		b.Cols = cols
	}
	b.Cols = b.Cols[:n]
	for i := range b.Cols {
		c := &b.Cols[i]
		c.Nums, c.Ends, c.Data = c.Nums[:0], c.Ends[:0], c.Data[:0]
	}
}

// Len is the number of rows.
func (b *Block) Len() int { return len(b.Times) }

// Bytes returns the value of the variable column col at row i.
func (b *Block) Bytes(col, i int) []byte {
	c := &b.Cols[col]
	start := uint32(0)
	if i > 0 {
		start = c.Ends[i-1]
	}
	return c.Data[start:c.Ends[i]]
}

// Truncate drops the rows from n on, undoing a partly appended row.
func (b *Block) Truncate(n int) {
	if n >= len(b.Times) {
		n = len(b.Times)
	}
	b.Times = b.Times[:n]
	for i := range b.Cols {
		c := &b.Cols[i]
		if b.Format.Code(i).Variable() {
			if len(c.Ends) > n {
				c.Ends = c.Ends[:n]
			}
			end := uint32(0)
			if n > 0 {
				end = c.Ends[n-1]
			}
			c.Data = c.Data[:end]
		} else if len(c.Nums) > n {
			c.Nums = c.Nums[:n]
		}
	}
}

// AppendBytes appends one value to the variable column col.
func (b *Block) AppendBytes(col int, v []byte) {
	c := &b.Cols[col]
	c.Data = append(c.Data, v...)
	c.Ends = append(c.Ends, uint32(len(c.Data)))
}

// AppendRows appends rows [from, to) of src, which has b's
func (b *Block) AppendRows(src *Block, from, to int) {
	b.Times = append(b.Times, src.Times[from:to]...)
	for col := range b.Cols {
		c, s := &b.Cols[col], &src.Cols[col]
		if !b.Format.Code(col).Variable() {
			c.Nums = append(c.Nums, s.Nums[from:to]...)
			continue
		}
		for i := from; i < to; i++ {
			b.AppendBytes(col, src.Bytes(col, i))
		}
	}
}

// VarBytes is the number of bytes held by the block's variable (s and B)
// columns: writers close a block early when it grows large.
func (b *Block) VarBytes() int {
	n := 0
	for col := range b.Cols {
		n += len(b.Cols[col].Data)
	}
	return n
}

// Check reports why b cannot be stored, or nil: a format that is not
// valid, a key empty or longer than MaxKeyLen, columns that do not match
// the format or the number of rows, a value that does not fit its column,
// an s or B value longer than MaxValueLen, or an empty one that a
// non-empty value follows in its row (text cannot express those). It does not check the
// order of the timestamps. formatKnown skips the format check, for a
// caller that has just checked the same format.
func (b *Block) Check(formatKnown bool) error {
	if !formatKnown {
		if _, err := ParseFormat(string(b.Format)); err != nil {
			return err
		}
	}
	if len(b.Key) == 0 || len(b.Key) > MaxKeyLen {
		return fmt.Errorf("key of %d bytes (want 1 to %d)", len(b.Key), MaxKeyLen)
	}
	if len(b.Cols) != b.Format.Len() {
		return fmt.Errorf("key %s: %d columns for format %q", Quote(b.Key), len(b.Cols), b.Format)
	}
	for col := range b.Cols {
		if err := b.checkColumn(col); err != nil {
			return fmt.Errorf("key %s: column %d (%c): %w", Quote(b.Key), col+1, b.Format[col], err)
		}
	}
	return b.checkEmpties()
}

// checkEmpties refuses an empty s or B value that text cannot express: one
// followed, in its row, by a column that is not an empty s or B value too
// (a line ends where its values end, so only trailing ones can be empty).
func (b *Block) checkEmpties() error {
	last := len(b.Cols) - 1
	for col := range last {
		if !b.Format.Code(col).Variable() {
			continue
		}
		for i := range b.Len() {
			if len(b.Bytes(col, i)) == 0 && !b.emptyFrom(col+1, i) {
				return fmt.Errorf("key %s: column %d (%c): an empty value is possible only in the trailing s and B columns", Quote(b.Key), col+1, b.Format[col])
			}
		}
	}
	return nil
}

// emptyFrom reports whether row i has empty s or B values in every column
// from col on.
func (b *Block) emptyFrom(col, i int) bool {
	for ; col < len(b.Cols); col++ {
		if !b.Format.Code(col).Variable() || len(b.Bytes(col, i)) > 0 {
			return false
		}
	}
	return true
}

func (b *Block) checkColumn(col int) error {
	c, code, n := &b.Cols[col], b.Format.Code(col), b.Len()
	if !code.Variable() {
		if len(c.Nums) != n {
			return fmt.Errorf("%d values for %d rows", len(c.Nums), n)
		}
		if code.FitsAll(c.Nums) {
			return nil
		}
		i := slices.IndexFunc(c.Nums, func(x uint64) bool { return !code.Fits(x) })
		return fmt.Errorf("value %#x does not fit the column", c.Nums[i])
	}
	if len(c.Ends) != n {
		return fmt.Errorf("%d values for %d rows", len(c.Ends), n)
	}
	prev := uint32(0)
	for _, end := range c.Ends {
		switch {
		case end < prev || int(end) > len(c.Data):
			return fmt.Errorf("value ends at %d, outside [%d, %d]", end, prev, len(c.Data))
		case end-prev > MaxValueLen:
			return fmt.Errorf("%w: value of %d bytes, more than %d", ErrLimit, end-prev, MaxValueLen)
		}
		prev = end
	}
	return nil
}
