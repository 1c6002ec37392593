package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/tsdb"
)

func newSyncCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "sync SRC DST",
		Short: "Copy a database to another location (local or s3://), incrementally",
		Long: `sync copies the files of SRC that DST lacks (by file ID), main first, then
the transactions in commit order, holding DST's compaction lock: DST is a
valid database, and a prefix of SRC's history, at every moment. DST is
created when it does not exist. Either may be a directory or
s3://BUCKET/PREFIX.`,
		Args: args(2, 2),
		RunE: runE(func(_ *cobra.Command, a []string) error {
			if g.dir != "" {
				return usagef("sync: give SRC and DST as arguments, not -d")
			}
			return runSync(g, a[0], a[1])
		}),
	}
}

func runSync(g *globals, from, to string) error {
	src, err := g.open(from, false)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := g.initDB(to); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	dst, err := g.open(to, false)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	res, err := tsdb.Sync(src, dst)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	fmt.Fprintf(os.Stderr, "sync: copied %d files (%d bytes), %d already there\n", res.Copied, res.Bytes, res.Present)
	return nil
}
