package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

type addOptions struct {
	format     string
	timeFormat string
	noSync     bool
	minFree    byteSize
}

func newAddCmd(g *globals) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add -f FORMAT < rows",
		Short: "Add sorted rows `KEY TIMESTAMP VALUE...` from stdin as one transaction",
		Args:  args(0, 0),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			return runAdd(g, o)
		}),
	}
	cmd.Flags().StringVarP(&o.format, "format", "f", "", "row format: one of u U i I f F s B per column (required)")
	cmd.Flags().StringVar(&o.timeFormat, "timestamp-format", "", "strftime pattern of the timestamps (default: integer nanoseconds)")
	noSyncFlag(cmd, &o.noSync)
	o.minFree = tsdb.DefaultMinFree
	cmd.Flags().Var(&o.minFree, "min-free", "refuse to add when less disk space is free: bytes, or with a K, M, G or T suffix (0: no check)")
	cmd.MarkFlagRequired("format")
	return cmd
}

func runAdd(g *globals, o *addOptions) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	f, err := format.ParseFormat(o.format)
	if err != nil {
		return err
	}
	topts := text.Options{Format: f}
	if o.timeFormat != "" {
		layout, err := timefmt.ParseLayout(o.timeFormat)
		if err != nil {
			return fmt.Errorf("--timestamp-format: %w", err)
		}
		topts.ParseTime = layout.ParseTime
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
	if err = addStdin(db, topts); err != nil {
		if errors.Is(err, tsdb.ErrDiskFull) {
			return fmt.Errorf("add: %w: free some space or lower --min-free (nothing was added)", err)
		}
		return fmt.Errorf("add: %w (nothing was added)", err)
	}
	return nil
}

// addStdin adds the rows of standard input, parsed in place when it is a
// mapped file (see mapStdin), else read.
func addStdin(db *tsdb.DB, opts text.Options) error {
	in := mapStdin()
	if in == nil {
		_, _, err := db.AddText(os.Stdin, opts)
		return err
	}
	_, _, err := db.AddTextBytes(in.input(), opts, in.release)
	return errors.Join(err, in.close())
}
