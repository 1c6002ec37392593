package agg

import "github.com/chime-tsdb/chime/format"

// Rows gathers result rows as plain format.Blocks, ready for any row
// formatter: a new block starts when the key or the row format changes.
// Its memory is reused after Reset.
type Rows struct {
	blocks []format.Block
	n      int
	format []byte
}

// Blocks returns the blocks of the rows appended since the last Reset,
// valid until the next Reset.
func (r *Rows) Blocks() []format.Block { return r.blocks[:r.n] }

// Len is the number of rows.
func (r *Rows) Len() int {
	n := 0
	for i := range r.n {
		n += r.blocks[i].Len()
	}
	return n
}

// Reset empties r, keeping its memory.
func (r *Rows) Reset() { r.n = 0 }

// next returns the block to append a row of key and format f to.
func (r *Rows) next(key, f []byte) *format.Block {
	if r.n > 0 {
		if b := &r.blocks[r.n-1]; string(b.Format) == string(f) && string(b.Key) == string(key) {
			return b
		}
	}
	if r.n == len(r.blocks) {
		r.blocks = append(r.blocks, format.Block{})
	}
	b := &r.blocks[r.n]
	r.n++
	b.Reset(key, format.Format(f))
	return b
}
