package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
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
	cmd.Flags().BoolVar(&o.noSync, "no-sync", false, "skip fsync: atomic against crashes, not against power loss")
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
	topts := tsdb.TextOptions{Format: f}
	if o.timeFormat != "" {
		layout, err := format.ParseTimeLayout(o.timeFormat)
		if err != nil {
			return fmt.Errorf("--timestamp-format: %w", err)
		}
		topts.ParseTime = layout.ParseTime
	}
	db, err := tsdb.Open(dir, &tsdb.Options{NoSync: o.noSync, NoMmap: g.noMmap, MinFree: o.minFree.minFree()})
	if err != nil {
		return err
	}
	if _, _, err = db.AddText(os.Stdin, topts); err != nil {
		if errors.Is(err, tsdb.ErrDiskFull) {
			return fmt.Errorf("add: %w: free some space or lower --min-free (nothing was added)", err)
		}
		return fmt.Errorf("add: %w (nothing was added)", err)
	}
	return nil
}

// byteSize is a flag value in bytes, with an optional binary suffix:
// 64M, 1G, 512K, 100 (bytes).
type byteSize int64

func (b *byteSize) String() string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}} {
		if *b != 0 && *b%(1<<u.shift) == 0 {
			return strconv.FormatInt(int64(*b)>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	num, shift := strings.TrimSuffix(strings.TrimSuffix(s, "B"), "i"), uint(0)
	if n := len(num); n > 0 {
		if i := strings.IndexByte("KMGT", num[n-1]); i >= 0 {
			num, shift = num[:n-1], 10*uint(i+1)
		}
	}
	v, err := strconv.ParseUint(num, 10, 63)
	if err != nil || v > math.MaxInt64>>shift {
		return fmt.Errorf("%q is not a size (bytes, or a number with a K, M, G or T suffix)", s)
	}
	*b = byteSize(v << shift)
	return nil
}

func (b *byteSize) Type() string { return "size" }

// minFree is the tsdb.Options.MinFree of the flag: 0 turns the check off.
func (b byteSize) minFree() int64 {
	if b == 0 {
		return -1
	}
	return int64(b)
}
