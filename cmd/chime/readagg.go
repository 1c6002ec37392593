package main

import (
	"bufio"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/parquet"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// aggOptions are read's aggregation flags: --agg, --step, --offset and
// --merge.
type aggOptions struct {
	list, step, offset, merge string
}

func (a *aggOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.list, "agg", "", "print aggregates per key and bucket instead of rows: a comma `LIST` of count sum mean min max first last stddev pNN quantile(q) (mean when only --step or --merge is given)")
	f.StringVar(&a.step, "step", "", "aggregate per time bucket of `DURATION` (10s 5m 1h 1d 1w 1h30m), aligned to the epoch in UTC; without it, one bucket per key")
	f.StringVar(&a.offset, "offset", "", "shift the --step buckets by `DURATION` (1w buckets start on Thursdays: --offset 4d starts them on Mondays)")
	f.StringVar(&a.merge, "merge", "", "aggregate every selected key into one series named `NAME`")
}

// aggregation is an aggregated read: the query and the merged series'
// name (nil: one series per key).
type aggregation struct {
	q     *agg.Query
	merge []byte
}

// aggregation builds the aggregation of the flags, or nil when none of
// --agg, --step, --merge is given. It takes -C's columns from rf: they
// select the columns aggregated, and every result column is printed.
func (o *readOptions) aggregation(cmd *cobra.Command, rf *text.RowFormatter) (*aggregation, error) {
	changed := cmd.Flags().Changed
	if !changed("agg") && !changed("step") && !changed("merge") {
		if changed("offset") {
			return nil, usagef("read: --offset needs --step")
		}
		return nil, nil
	}
	switch {
	case o.follow:
		return nil, usagef("read: --follow cannot be combined with --agg, --step or --merge")
	case o.parallel != "":
		return nil, usagef("read: --parallel cannot be combined with --agg, --step or --merge")
	case changed("offset") && !changed("step"):
		return nil, usagef("read: --offset needs --step")
	case changed("merge") && o.agg.merge == "":
		return nil, usagef("read: --merge: the merged series needs a name")
	}
	a := &aggregation{q: &agg.Query{Columns: rf.Columns}}
	rf.Columns = nil
	if changed("merge") {
		a.merge = []byte(o.agg.merge)
	}
	return a, o.agg.parse(a.q, changed)
}

// parse reads --agg, --step and --offset into q.
func (a *aggOptions) parse(q *agg.Query, changed func(string) bool) error {
	list := "mean"
	if changed("agg") {
		list = a.list
	}
	var err error
	if q.Funcs, err = agg.ParseList(list); err != nil {
		return usagef("read: --agg: %v", err)
	}
	if changed("step") {
		if q.Step, err = agg.ParseDuration(a.step); err != nil {
			return usagef("read: --step: %v", err)
		}
	}
	if changed("offset") {
		if q.Offset, err = agg.ParseDuration(a.offset); err != nil {
			return usagef("read: --offset: %v", err)
		}
	}
	return nil
}

// printAggregate prints the aggregated rows in the chosen output format,
// rendered on every core.
func (o *readOptions) printAggregate(snap *tsdb.Snapshot, sel *tsdb.Selector, rf *text.RowFormatter, a *aggregation, write func([]byte) error) error {
	width, err := snap.AggregateWidth(sel, a.q)
	if errors.Is(err, agg.ErrColumnType) {
		return usagef("read: %v (choose other columns with -C)", err)
	}
	if err != nil {
		return err
	}
	if o.output == outputParquet {
		return aggregateParquet(snap, sel, a, o.outputFile)
	}
	out, err := text.NewOutput(o.output, rf) // rf prints every result column

	if err != nil {
		return err
	}
	if header := out.Header(width, a.q.Names(width)); header != nil {
		if err := write(header); err != nil {
			return err
		}
	}
	return snap.AggregateAppend(sel, a.q, &tsdb.AggregateOptions{Merge: a.merge}, out.Render, write)
}

// aggregateParquet writes the aggregates as Parquet: its schema is typed
// from the result formats of the formats the selection holds, and named
// as the CSV header is (v1_mean).
func aggregateParquet(snap *tsdb.Snapshot, sel *tsdb.Selector, a *aggregation, path string) error {
	uses, err := snap.Formats(sel)
	if err != nil {
		return err
	}
	results := make([]parquet.FormatUse, len(uses))
	for i, u := range uses {
		results[i] = parquet.FormatUse{Format: a.q.ResultFormat(u.Format), Key: u.Key}
	}
	schema, err := parquet.PlanSchema(results, nil)
	if err != nil {
		return err
	}
	names := a.q.Names(len(schema.Columns))
	for i := range schema.Columns {
		schema.Columns[i].Label = names[i]
	}
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		pw := parquet.NewWriter(bw, schema, nil)
		err := snap.Aggregate(sel, a.q, &tsdb.AggregateOptions{Merge: a.merge}, pw.WriteRows)
		if cerr := pw.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = bw.Flush()
		}
		return err
	}
	if path == "" {
		return write(writerFunc(newStdout().write))
	}
	return writeFileAtomic("--output-file", path, write)
}
