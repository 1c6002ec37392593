package tsdb

import (
	"io"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

// AddText reads text rows from r, sorted by key and then by strictly
// increasing time within a key (or in any order with opts.Unsorted, sorted
// as Import does), and commits them as one transaction: all of them or, on
// any error (a bad line anywhere, an order violation, an I/O error), none.
// Parsing runs on several cores while the transaction file is written;
// memory stays bounded whatever the input size. It returns the number of
// rows and the name of the published file ("" for no rows).
func (db *DB) AddText(r io.Reader, opts text.Options) (uint64, string, error) {
	opts.Limits = opts.Limits.Or(db.lim)
	if opts.Unsorted {
		return db.Import(func(write func(*format.Block) error) error {
			return text.Parse(r, opts, write)
		}, ImportOptions{Unsorted: true})
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, "", err
	}
	if err := text.Parse(r, opts, tx.Write); err != nil {
		tx.Rollback()
		return 0, "", err
	}
	rows := tx.Rows()
	name, err := tx.Commit()
	return rows, name, err
}
