package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

type readOptions struct {
	bounds
	printFormat    bool
	timeFormat     string
	nanos, seconds bool
	columns        string
	parallel       string
	output         string
	outputFile     string
	follow         bool
	followInterval time.Duration
	agg            aggOptions
}

func newReadCmd(g *globals) *cobra.Command {
	o := &readOptions{}
	cmd := &cobra.Command{
		Use:   "read [FILTER...]",
		Short: "Print rows `KEY<TAB>TIMESTAMP<TAB>VALUES`, sorted by key then time",
		Long: "Print the rows whose key matches a FILTER ('%' matches any run of characters;\n" +
			"several filters select their union) or lies within the key bounds.",
		RunE: runE(func(cmd *cobra.Command, a []string) error {
			return runRead(cmd, g, o, a)
		}),
	}
	o.bounds.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.printFormat, "print-format", false, "print each row's format after its timestamp")
	f.StringVar(&o.timeFormat, "timestamp-format", timefmt.DefaultLayout, "strftime pattern for timestamps")
	f.BoolVar(&o.nanos, "timestamp-nanos", false, "print timestamps as integer nanoseconds")
	f.BoolVar(&o.seconds, "timestamp-seconds", false, "print timestamps as integer seconds")
	f.StringVarP(&o.columns, "columns", "C", "", "value columns to print (with --agg: to aggregate): 1-based numbers and a-b ranges, all, none")
	f.StringVar(&o.parallel, "parallel", "", "split the output by key ranges across one `sh -c CMD` per CPU")
	f.StringVarP(&o.output, "output", "o", outputText, "output format: text, csv (with a header), json (one object per line) or parquet")
	f.StringVar(&o.outputFile, "output-file", "", "with --output parquet: write the file here instead of stdout (replaced only once complete)")
	f.BoolVar(&o.follow, "follow", false, "after the matching rows, print those of new transactions until interrupted")
	f.DurationVar(&o.followInterval, "follow-interval", tsdb.DefaultFollowInterval, "how often --follow looks for new transactions")
	o.agg.register(cmd)
	cmd.MarkFlagsMutuallyExclusive("timestamp-nanos", "timestamp-seconds", "timestamp-format")
	cmd.MarkFlagsMutuallyExclusive("follow", "parallel")
	return cmd
}

func runRead(cmd *cobra.Command, g *globals, o *readOptions, filters []string) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	sel, err := o.selector(cmd, filters)
	if err != nil {
		return err
	}
	rf, err := o.formatter()
	if err != nil {
		return err
	}
	if err := o.checkOutput(cmd); err != nil {
		return err
	}
	aggr, err := o.aggregation(cmd, rf)
	if err != nil {
		return err
	}
	db, err := g.open(dir, false)
	if err != nil {
		return err
	}
	if o.follow {
		return readFollow(db, sel, rf, o)
	}
	snap, err := db.Snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	switch {
	case aggr != nil:
		return o.printAggregate(snap, sel, rf, aggr, newStdout().write)
	case o.parallel != "":
		return readParallel(snap, sel, rf, o.parallel)
	case o.output == outputParquet:
		return readParquet(snap, sel, rf.Columns, o.outputFile)
	}
	_, err = o.printRows(snap, sel, rf, newStdout().write)
	return err
}

// selector turns the filter arguments and the bound flags into a Selector.
func (o *readOptions) selector(cmd *cobra.Command, filters []string) (*tsdb.Selector, error) {
	switch keyBounds := o.hasKeyBounds(cmd); {
	case len(filters) == 0 && !keyBounds:
		return nil, usagef("read: give a FILTER (like 'key%%') or --after-key/--before-key")
	case len(filters) > 0 && keyBounds:
		return nil, usagef("read: a FILTER and --after-key/--before-key cannot be combined")
	}
	return o.bounds.selector(cmd, filters)
}

// formatter builds the row printer from the output flags.
func (o *readOptions) formatter() (*text.RowFormatter, error) {
	rf := &text.RowFormatter{PrintFormat: o.printFormat}
	switch {
	case o.nanos:
		rf.AppendTime = timefmt.AppendNanos
	case o.seconds:
		rf.AppendTime = timefmt.AppendSeconds
	default:
		layout, err := timefmt.ParseLayout(o.timeFormat)
		if err != nil {
			return nil, fmt.Errorf("--timestamp-format: %w", err)
		}
		rf.AppendTime = layout.AppendTime
	}
	if o.columns != "" {
		cols, err := text.ParseColumns(o.columns)
		if err != nil {
			return nil, fmt.Errorf("--columns: %w", err)
		}
		rf.Columns = cols
	}
	return rf, nil
}
