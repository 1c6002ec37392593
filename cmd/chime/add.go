package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/extsort"
)

type addOptions struct {
	format     string
	timeFormat string
	noSync     bool
	minFree    byteSize
	input      string
	unsorted   bool
	sortMemory byteSize
	columns    inputColumns
}

// inputColumns are the flags that say which columns of a CSV or Parquet
// file hold what.
type inputColumns struct {
	keyColumn    string
	key          string
	timeColumn   string
	valueColumns []string
	split        string
}

// The --input formats of add.
const (
	inputText    = "text"
	inputCSV     = "csv"
	inputJSON    = "json"
	inputParquet = "parquet"
)

func newAddCmd(g *globals) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add -f FORMAT < rows",
		Short: "Add rows from stdin as one transaction: text `KEY TIMESTAMP VALUE...`, CSV, JSON or Parquet",
		Long: "Add rows from stdin as one all-or-nothing transaction. Text rows (the default) are\n" +
			"`KEY TIMESTAMP VALUE...`; --input csv, json and parquet read what read -o writes, and CSV\n" +
			"and Parquet files from elsewhere with --key-column, --time-column and --value-columns.\n" +
			"Rows must be sorted by key, then time, unless --unsorted.",
		Args: args(0, 0),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			return runAdd(cmd, g, o)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&o.format, "format", "f", "", "row format: one of u U i I f F s B per value column (required for text and csv)")
	f.StringVar(&o.timeFormat, "timestamp-format", "", "strftime pattern of the timestamps (default: integer nanoseconds; for csv, json and parquet also RFC 3339)")
	noSyncFlag(cmd, &o.noSync)
	o.minFree = tsdb.DefaultMinFree
	f.Var(&o.minFree, "min-free", "refuse to add when less disk space is free: bytes, or with a K, M, G or T suffix (0: no check)")
	f.StringVar(&o.input, "input", inputText, "input format: text, csv, json or parquet")
	f.BoolVar(&o.unsorted, "unsorted", false, "accept rows in any order (sorted with bounded memory; of two rows with the same key and time the later wins)")
	o.sortMemory = extsort.DefaultMemory
	f.Var(&o.sortMemory, "sort-memory", "memory for sorting --unsorted input before it spills to disk beside the database")
	f.StringVar(&o.columns.keyColumn, "key-column", "", "csv, parquet: the column of keys (default key)")
	f.StringVar(&o.columns.key, "key", "", "csv, parquet: the key of every row, for a file of one series")
	f.StringVar(&o.columns.timeColumn, "time-column", "", "csv, parquet: the column of times (default ts, or time)")
	f.StringSliceVar(&o.columns.valueColumns, "value-columns", nil, "csv, parquet: the value columns, in order (default: all the others)")
	f.StringVar(&o.columns.split, "split-columns", "", "csv: one series per value column, keyed `PREFIX`.COLUMN (implies --unsorted)")
	cmd.MarkFlagsMutuallyExclusive("key", "key-column", "split-columns")
	return cmd
}

func runAdd(cmd *cobra.Command, g *globals, o *addOptions) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	src, err := o.source(cmd, os.Stdin)
	if err != nil {
		return err
	}
	opts := g.dbOptions(o.noSync)
	opts.MinFree = o.minFree.minFree()
	if opts.FS, err = g.store(dir); err != nil {
		return err
	}
	db, err := tsdb.Open(dir, opts)
	if err != nil {
		return err
	}
	iopts := tsdb.ImportOptions{Unsorted: o.unsorted || o.columns.split != "", SortMemory: int64(o.sortMemory)}
	if _, _, err = db.Import(src.bind(db), iopts); err != nil {
		return addError(err)
	}
	return nil
}

// addError says whether anything was added (nothing, unless the outcome
// is unknown), and what to do when it helps.
func addError(err error) error {
	switch {
	case errors.Is(err, tsdb.ErrOutcomeUnknown):
		return fmt.Errorf("add: %w (the rows may have been added: read them before adding them again)", err)
	case errors.Is(err, tsdb.ErrDiskFull):
		return fmt.Errorf("add: %w: free some space or lower --min-free (nothing was added)", err)
	case errors.Is(err, format.ErrUnsorted):
		return fmt.Errorf("add: %w (nothing was added; --unsorted sorts the input)", err)
	}
	return fmt.Errorf("add: %w (nothing was added)", err)
}

// checkFlags refuses flags that the input format does not take.
func (o *addOptions) checkFlags(cmd *cobra.Command) error {
	switch o.input {
	case inputText, inputCSV, inputJSON, inputParquet:
	default:
		return usagef("add: --input %q: want text, csv, json or parquet", o.input)
	}
	allowed := map[string][]string{
		inputText:    {},
		inputJSON:    {},
		inputCSV:     {"key-column", "key", "time-column", "value-columns", "split-columns"},
		inputParquet: {"key-column", "key", "time-column", "value-columns"},
	}[o.input]
	for _, name := range []string{"key-column", "key", "time-column", "value-columns", "split-columns"} {
		if cmd.Flags().Changed(name) && !slices.Contains(allowed, name) {
			return usagef("add: --%s does not apply to --input %s", name, o.input)
		}
	}
	switch {
	case !cmd.Flags().Changed("format") && (o.input == inputText || o.input == inputCSV):
		return usagef("add: --input %s needs -f/--format: the type of each value column", o.input)
	case cmd.Flags().Changed("format") && o.input == inputParquet:
		return usagef("add: --input parquet takes the types from the file: leave out -f")
	case cmd.Flags().Changed("key") && o.columns.key == "":
		return usagef("add: --key must not be empty")
	case cmd.Flags().Changed("split-columns") && (o.columns.split == "" || strings.ContainsAny(o.columns.split, "\n")):
		return usagef("add: --split-columns needs a PREFIX for the keys")
	}
	return nil
}
