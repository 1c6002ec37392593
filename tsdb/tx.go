package tsdb

import (
	"errors"
	"fmt"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// ErrTxDone is returned by the methods of a transaction already committed
// or rolled back, as database/sql's ErrTxDone.
var ErrTxDone = errors.New("transaction already committed or rolled back")

// Tx is a transaction being written: its rows stream into a pending
// object of the store, with memory independent of their number, and
// Commit publishes them all at once or not at all. A Tx is not safe for
// concurrent use.
type Tx struct {
	db    *DB
	p     vfs.Pending
	w     *segment.Writer
	spool spool
	lim   format.Limits
	err   error
	done  bool
}

// Begin starts a data transaction, bound by Options.Limits. It refuses to
// start, with an error wrapping ErrDiskFull, when the free disk space is
// below Options.MinFree.
func (db *DB) Begin() (*Tx, error) {
	if err := db.checkFree(); err != nil {
		return nil, err
	}
	return db.begin(segment.Options{Kind: segment.KindData}, db.lim)
}

// begin starts a transaction writing the segment o describes.
func (db *DB) begin(o segment.Options, lim format.Limits) (*Tx, error) {
	p, err := db.fs.Create()
	if err != nil {
		return nil, fmt.Errorf("create a file in %s: %w", db.fs, err)
	}
	if o.ID.IsZero() {
		o.ID = segment.NewID()
	}
	tx := &Tx{db: db, p: p, lim: lim}
	o.Spool = tx.spool.open
	tx.w = segment.NewWriter(p, o)
	return tx, nil
}

// Write adds the rows of b, which must follow every row written before in
// (key, time) order. After an error the transaction can only be rolled
// back.
func (tx *Tx) Write(b *format.Block) error {
	if tx.done {
		return ErrTxDone
	}
	if tx.err != nil {
		return tx.err
	}
	// The writer checks the block's shape first (format.Block.Check), so
	// that the limits are checked on a well-formed block; after an error
	// the transaction can only roll back, so what the writer took is never
	// published.
	if tx.err = tx.w.WriteBlock(b); tx.err == nil {
		tx.err = tx.lim.CheckBlock(b)
	}
	return tx.err
}

// Rows is the number of rows written so far.
func (tx *Tx) Rows() uint64 { return tx.w.Rows() }

// Rollback abandons the transaction: nothing of it is published.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	return errors.Join(tx.p.Close(), tx.spool.close())
}

// Commit publishes the transaction and returns the name of its file. A
// transaction without rows publishes nothing and returns "". The rows are
// durable (unless Options.NoSync) and visible to new snapshots once Commit
// returns nil; on any error nothing was published.
func (tx *Tx) Commit() (string, error) {
	if tx.done {
		return "", ErrTxDone
	}
	if tx.err != nil {
		tx.Rollback()
		return "", tx.err
	}
	if tx.w.Rows() == 0 {
		return "", tx.Rollback()
	}
	return tx.publish()
}

// publish finishes the file and gives it the next position.
func (tx *Tx) publish() (string, error) {
	defer tx.Rollback() // releases the pending object once published
	if err := tx.finish(); err != nil {
		return "", err
	}
	name, err := tx.db.publish(tx.p, tx.w.ID())
	if err == nil {
		// Best effort: leftovers of crashed writers go with the next
		// commit; a failure here changes no outcome.
		if s, ok := tx.db.fs.(vfs.Sweeper); ok && !tx.db.objects {
			s.RemoveStale()
		}
	}
	return name, err
}

// finish completes the file's bytes: the footer written. The store makes
// them durable when it publishes.
func (tx *Tx) finish() error {
	if err := tx.w.Close(); err != nil {
		return fmt.Errorf("write the transaction file: %w", err)
	}
	return nil
}
