package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/parquet"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// readParquet is read --output parquet: the selected rows as one Parquet
// file on stdout, or in path (written beside it, then renamed over it, so
// that a failed read leaves no half-written file).
func readParquet(snap *tsdb.Snapshot, sel *tsdb.Selector, cols *text.ColumnSet, path string) error {
	schema, err := parquetSchema(snap, sel, cols)
	if err != nil {
		return err
	}
	if path == "" {
		out := newStdout()
		return writeParquet(snap, sel, schema, writerFunc(out.write))
	}
	return writeFileAtomic("--output-file", path, func(w io.Writer) error {
		return writeParquet(snap, sel, schema, w)
	})
}

// parquetSchema types the value columns from the formats of the selected
// blocks, known from the index before any row is read.
func parquetSchema(snap *tsdb.Snapshot, sel *tsdb.Selector, cols *text.ColumnSet) (*parquet.Schema, error) {
	uses, err := snap.Formats(sel)
	if err != nil {
		return nil, err
	}
	pu := make([]parquet.FormatUse, len(uses))
	for i, u := range uses {
		pu[i] = parquet.FormatUse{Format: u.Format, Key: u.Key}
	}
	return parquet.PlanSchema(pu, cols.Has)
}

// writeParquet streams the selected rows to w through a buffer.
func writeParquet(snap *tsdb.Snapshot, sel *tsdb.Selector, schema *parquet.Schema, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	pw := parquet.NewWriter(bw, schema, nil)
	err := snap.Scan(sel, func(b *format.Block, from, to int) error {
		return pw.WriteRows(b, from, to)
	})
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = bw.Flush()
	}
	return err
}

// writerFunc adapts a write function to io.Writer.
type writerFunc func([]byte) error

func (f writerFunc) Write(b []byte) (int, error) {
	if err := f(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeFileAtomic writes path through a temporary file beside it, renamed
// over path only once write and the close succeeded.
func writeFileAtomic(flag, path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o644); err != nil { // CreateTemp's 0600 is for secrets
		return fmt.Errorf("%s: %w", flag, err)
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", flag, errors.Unwrap(err))
	}
	return nil
}
