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
	return db.addParsed(opts, func(opts text.Options, write func(*format.Block) error) error {
		return text.Parse(r, opts, write)
	})
}

// AddTextBytes is AddText for input already in memory, typically a mapped
// file, which it parses without copying (see text.ParseBytes): released,
// if not nil, is told how many leading bytes of data are no longer read.
func (db *DB) AddTextBytes(data []byte, opts text.Options, released func(n int)) (uint64, string, error) {
	return db.addParsed(opts, func(opts text.Options, write func(*format.Block) error) error {
		return text.ParseBytes(data, opts, write, released)
	})
}

// addParsed commits, as one transaction, the blocks that parse writes.
// Sorted text needs no other order check than the parser's; unsorted text
// goes through Import's sort.
func (db *DB) addParsed(opts text.Options, parse func(text.Options, func(*format.Block) error) error) (uint64, string, error) {
	opts.Limits = opts.Limits.Or(db.lim)
	src := func(write func(*format.Block) error) error { return parse(opts, write) }
	if opts.Unsorted {
		return db.Import(src, ImportOptions{Unsorted: true})
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, "", err
	}
	return finish(tx, src(tx.Write))
}
