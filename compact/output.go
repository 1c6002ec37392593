package compact

import (
	"context"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
)

// output writes merged rows into the compaction's transaction, checking
// for cancellation and reporting progress as it goes.
type output struct {
	ctx      context.Context
	c        *tsdb.Compaction
	progress func(rows uint64)
	scratch  format.Block
	blocks   int
}

// write is a tsdb.Emit that appends rows [from, to) of b to the output.
func (w *output) write(b *format.Block, from, to int) error {
	if w.blocks++; w.blocks%64 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if w.progress != nil {
			w.progress(w.c.Rows())
		}
	}
	if from == 0 && to == b.Len() {
		return w.c.Write(b)
	}
	w.scratch.Reset(b.Key, b.Format)
	w.scratch.AppendRows(b, from, to)
	return w.c.Write(&w.scratch)
}
