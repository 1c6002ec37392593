package tsdb

import (
	"errors"
	"fmt"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// Tx is a transaction being written: its rows stream into a locked
// temporary file, with memory independent of their number, and Commit
// publishes them all at once or not at all. A Tx is not safe for
// concurrent use.
type Tx struct {
	db   *DB
	f    File
	w    *segment.Writer
	lim  format.Limits
	err  error
	done bool
}

// Begin starts a data transaction, bound by Options.Limits. It refuses to
// start, with an error wrapping ErrDiskFull, when the free disk space is
// below Options.MinFree.
func (db *DB) Begin() (*Tx, error) {
	if err := db.checkFree(); err != nil {
		return nil, err
	}
	tx, err := db.begin(segment.KindData)
	if err == nil {
		tx.lim = db.lim
	}
	return tx, err
}

// begin starts a transaction of kind k, bound by the format's maxima only.
func (db *DB) begin(k segment.Kind) (*Tx, error) {
	f, err := db.fs.CreateTemp("tx-")
	if err != nil {
		return nil, fmt.Errorf("create temporary file in %s: %w", db.dir, err)
	}
	lim, _ := format.Limits{}.WithDefaults()
	return &Tx{db: db, f: f, w: segment.NewWriter(f, k), lim: lim}, nil
}

// Write adds the rows of b, which must follow every row written before in
// (key, time) order. After an error the transaction can only be rolled
// back.
func (tx *Tx) Write(b *format.Block) error {
	if tx.err != nil {
		return tx.err
	}
	if tx.done {
		return errors.New("transaction already finished")
	}
	if tx.err = tx.lim.CheckBlock(b); tx.err == nil {
		tx.err = tx.w.WriteBlock(b)
	}
	return tx.err
}

// Rows is the number of rows written so far.
func (tx *Tx) Rows() uint64 { return tx.w.Rows() }

// Rollback abandons the transaction and removes its temporary file.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	return errors.Join(tx.f.Close(), tx.db.fs.Remove(tx.f.Name()))
}

// Commit publishes the transaction and returns the name of its file. A
// transaction without rows publishes nothing and returns "". The rows are
// durable (unless Options.NoSync) and visible to new snapshots once Commit
// returns nil; on any error nothing was published.
func (tx *Tx) Commit() (string, error) {
	if tx.err != nil {
		tx.Rollback()
		return "", tx.err
	}
	if tx.done {
		return "", errors.New("transaction already finished")
	}
	if tx.w.Rows() == 0 {
		return "", tx.Rollback()
	}
	return tx.publish()
}

// publish finishes the file and gives it its committed name. The file
// stays open, so its lock says "live" to other writers, until its
// temporary name is gone.
func (tx *Tx) publish() (string, error) {
	tmp := tx.f.Name()
	if err := tx.finish(); err != nil {
		return "", errors.Join(err, tx.f.Close(), tx.db.fs.Remove(tmp))
	}
	name, err := tx.db.publish(tmp)
	// The data is durable (synced) and published or not: failures to
	// remove the temporary name or to close it only leave clutter that the
	// next writer removes once the lock is free; they change no outcome.
	tx.db.fs.Remove(tmp)
	tx.f.Close()
	return name, err
}

// finish completes the file: its footer written and, unless NoSync, its
// bytes durable. The transaction is done either way.
func (tx *Tx) finish() error {
	tx.done = true
	err := tx.w.Close()
	if err == nil && !tx.db.opts.NoSync {
		err = tx.f.Sync()
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", tx.f.Name(), err)
	}
	return nil
}
