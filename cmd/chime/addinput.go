package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/parquet"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

// inputSource is add's input, read by the reader of its --input format.
type inputSource struct {
	o         *addOptions
	r         *os.File
	format    format.Format
	parseTime func([]byte) (uint64, error)
}

// source checks the flags and compiles the format and the timestamp
// layout, before the database is opened.
func (o *addOptions) source(cmd *cobra.Command, r *os.File) (*inputSource, error) {
	if err := o.checkFlags(cmd); err != nil {
		return nil, err
	}
	s := &inputSource{o: o, r: r}
	if cmd.Flags().Changed("format") {
		f, err := format.ParseFormat(o.format)
		if err != nil {
			return nil, err
		}
		s.format = f
	}
	if o.timeFormat != "" {
		layout, err := timefmt.ParseLayout(o.timeFormat)
		if err != nil {
			return nil, fmt.Errorf("--timestamp-format: %w", err)
		}
		s.parseTime = layout.ParseTime
	}
	return s, nil
}

// bind returns the tsdb.Source that reads the input for db.
func (s *inputSource) bind(db *tsdb.DB) tsdb.Source {
	return func(write func(*format.Block) error) error {
		switch s.o.input {
		case inputCSV:
			return text.ParseCSV(s.r, s.csvOptions(), write)
		case inputJSON:
			return text.ParseJSON(s.r, text.JSONOptions{Format: s.format, ParseTime: s.parseTime}, write)
		case inputParquet:
			return s.readParquet(scratchDir(db.Dir()), write)
		}
		topts := text.Options{Format: s.format, ParseTime: s.parseTime, Unsorted: s.o.unsorted}
		return parseText(s.r, topts, write)
	}
}

// parseText parses text rows from f: in place when f is a regular file it
// can map (see mapInput), else as it reads.
func parseText(f *os.File, opts text.Options, write func(*format.Block) error) error {
	in := mapInput(f)
	if in == nil {
		return text.Parse(f, opts, write)
	}
	return errors.Join(text.ParseBytes(in.input(), opts, write, in.release), in.close())
}

func (s *inputSource) csvOptions() text.CSVOptions {
	c := &s.o.columns
	o := text.CSVOptions{
		Format:       s.format,
		KeyColumn:    c.keyColumn,
		TimeColumn:   c.timeColumn,
		ValueColumns: c.valueColumns,
		SplitPrefix:  c.split,
		ParseTime:    s.parseTime,
	}
	if c.key != "" {
		o.Key = []byte(c.key)
	}
	return o
}

// readParquet reads a Parquet file from stdin: in place when it is a
// file (add < x.parquet), else copied first to a temporary file beside
// the database, since Parquet is read from its end.
func (s *inputSource) readParquet(dir string, write func(*format.Block) error) error {
	c := &s.o.columns
	o := &parquet.ReaderOptions{KeyColumn: c.keyColumn, TimeColumn: c.timeColumn, ValueColumns: c.valueColumns, ParseTime: s.parseTime}
	if c.key != "" {
		o.Key = []byte(c.key)
	}
	f, size, err := seekable(s.r, dir)
	if err != nil {
		return err
	}
	if f != s.r {
		defer f.Close()
	}
	return parquet.Read(f, size, o, write)
}

// scratchDir is where add keeps a copy of piped Parquet input: beside a
// database in a local directory (the disk the rows go to anyway), the
// system's temporary directory for one on object storage.
func scratchDir(loc string) string {
	if fi, err := os.Stat(loc); err == nil && fi.IsDir() {
		return loc
	}
	return ""
}

// seekable returns r itself when it is a regular file, else a copy of it
// in an unlinked temporary file in dir ("" for the system's).
func seekable(r *os.File, dir string) (*os.File, int64, error) {
	if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
		off, err := r.Seek(0, io.SeekCurrent)
		if err == nil {
			return r, fi.Size() - off, readAtOffset(r, off)
		}
	}
	tmp, err := os.CreateTemp(dir, ".chime-input-*")
	if err != nil {
		return nil, 0, fmt.Errorf("copy the Parquet input to a file: %w", err)
	}
	os.Remove(tmp.Name())
	n, err := io.Copy(tmp, r)
	if err != nil {
		tmp.Close()
		return nil, 0, fmt.Errorf("copy the Parquet input to a file: %w", err)
	}
	return tmp, n, nil
}

// readAtOffset refuses stdin positioned past its start: Parquet offsets
// count from the start of the file.
func readAtOffset(r *os.File, off int64) error {
	if off != 0 {
		return fmt.Errorf("stdin is positioned at byte %d of its file, not at the start of the Parquet file", off)
	}
	return nil
}
