package tsdb

import (
	"errors"
	"fmt"
	"os"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb/extsort"
)

// Source produces rows in input order by passing them to write as blocks
// (of one key and one format, valid until write returns). It stops at the
// first error write returns and returns it, with its place in the input
// when it knows one: the text, CSV, JSON and Parquet readers are sources.
type Source func(write func(*format.Block) error) error

// ImportOptions configure Import. The zero value reads sorted input.
type ImportOptions struct {
	// Unsorted accepts rows in any order: they are sorted with bounded
	// memory (see package extsort), and of two rows with the same key and
	// time the later in the input wins. Otherwise rows must come sorted by
	// key, then by strictly increasing time within a key.
	Unsorted bool
	// SortMemory is the memory budget of the sort in bytes; 0 means
	// extsort.DefaultMemory (64 MiB).
	SortMemory int64
	// SortDir is where the sort spills its runs; "" means beside the
	// database (the disk the rows are going to anyway; a $TMPDIR on tmpfs
	// would hold them in memory).
	SortDir string
}

// Import commits the rows of src as one transaction: all of them or, on
// any error (a bad row anywhere, an order violation, an I/O error), none.
// It returns the number of rows and the name of the published file (""
// for no rows).
func (db *DB) Import(src Source, o ImportOptions) (uint64, string, error) {
	if o.Unsorted {
		return db.importUnsorted(src, o)
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, "", err
	}
	var check format.OrderCheck
	err = src(func(b *format.Block) error {
		if err := check.Check(b); err != nil {
			return err
		}
		return tx.Write(b)
	})
	return finish(tx, err)
}

// importUnsorted reads the whole input into the sorter before a
// transaction starts, then writes the merged rows.
func (db *DB) importUnsorted(src Source, o ImportOptions) (uint64, string, error) {
	dir := o.SortDir
	if dir == "" {
		dir = localDir(db.Dir())
	}
	s := extsort.New(extsort.Options{Memory: o.SortMemory, Dir: dir})
	defer s.Close()
	lim := db.lim
	err := src(func(b *format.Block) error {
		if err := lim.CheckBlock(b); err != nil {
			return err
		}
		return s.Add(b, nil)
	})
	if err != nil {
		return 0, "", err
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, "", err
	}
	return finish(tx, s.Sort(tx.Write))
}

// localDir returns dir when it is a directory of the local file system,
// and "" ($TMPDIR) when it is not (a database behind another storage).
func localDir(dir string) string {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir
	}
	return ""
}

// finish commits tx, or rolls it back after err.
func finish(tx *Tx, err error) (uint64, string, error) {
	if err != nil {
		return 0, "", errors.Join(err, rollback(tx))
	}
	rows := tx.Rows()
	name, err := tx.Commit()
	return rows, name, err
}

// rollback rolls tx back; its error is worth reporting only alone.
func rollback(tx *Tx) error {
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("roll back: %w", err)
	}
	return nil
}
