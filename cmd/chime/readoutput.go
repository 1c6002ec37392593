package main

import (
	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// The --output formats of read: sonnerie's text (the default, unchanged)
// and the machine-readable CSV and JSON lines of format's one schema.
const (
	outputText    = text.OutputText
	outputCSV     = text.OutputCSV
	outputJSON    = text.OutputJSON
	outputParquet = "parquet"
)

// textOnlyFlags shape the text output only: CSV, JSON and Parquet have a
// fixed schema (nanoseconds, RFC 3339 and the format are always there).
var textOnlyFlags = []string{"print-format", "timestamp-format", "timestamp-nanos", "timestamp-seconds", "parallel"}

// checkOutput rejects an unknown --output and flags that it ignores.
func (o *readOptions) checkOutput(cmd *cobra.Command) error {
	if o.outputFile != "" && o.output != outputParquet {
		return usagef("read: --output-file applies to --output parquet only (redirect stdout for the others)")
	}
	switch o.output {
	case outputText:
		return nil
	case outputCSV, outputJSON:
	case outputParquet:
		if o.follow {
			return usagef("read: --follow cannot append to a Parquet file: use --output json or csv")
		}
	default:
		return usagef("read: --output %q: want text, csv, json or parquet", o.output)
	}
	for _, name := range textOnlyFlags {
		if cmd.Flags().Changed(name) {
			return usagef("read: --%s applies to --output text only", name)
		}
	}
	return nil
}

// renderer returns the row renderer of the chosen output and the header
// to print first (CSV's, whose width comes from snap's index).
func (o *readOptions) renderer(snap *tsdb.Snapshot, sel *tsdb.Selector, rf *text.RowFormatter) (tsdb.AppendFunc, []byte, error) {
	out, err := text.NewOutput(o.output, rf)
	if err != nil || !out.NeedsWidth() {
		return tsdb.AppendFunc(out.Render), nil, err
	}
	width, err := snap.Widest(sel)
	if err != nil {
		return nil, nil, err
	}
	return out.Render, out.Header(width, nil), nil
}

// printRows prints the selected rows of snap with write, rendered on every
// core, and returns the renderer for --follow to go on with.
func (o *readOptions) printRows(snap *tsdb.Snapshot, sel *tsdb.Selector, rf *text.RowFormatter, write func([]byte) error) (tsdb.AppendFunc, error) {
	render, header, err := o.renderer(snap, sel, rf)
	if err == nil && header != nil {
		err = write(header)
	}
	if err != nil {
		return nil, err
	}
	return render, snap.ScanAppend(sel, 0, render, write)
}
