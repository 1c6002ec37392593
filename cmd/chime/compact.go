package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/compact"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

type compactOptions struct {
	major      bool
	gegnum     string
	timeFormat string
	noWait     bool
	noSync     bool
}

func newCompactCmd(g *globals) *cobra.Command {
	o := &compactOptions{}
	cmd := &cobra.Command{
		Use:   "compact [--major] [--gegnum CMD [--timestamp-format S]]",
		Short: "Merge transaction files (minor) or everything into a new main (--major)",
		Args:  args(0, 0),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("timestamp-format") && o.gegnum == "" {
				return usagef("compact: --timestamp-format goes with --gegnum")
			}
			if err := g.graceFlag(); err != nil {
				return err
			}
			return runCompact(g, o)
		}),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.major, "major", "M", false, "merge main and every transaction into a new main")
	f.StringVar(&o.gegnum, "gegnum", "", "rewrite every row through `sh -c CMD` (KEY TAB TS TAB FORMAT TAB VALUES in, KEY TS FORMAT VALUES out)")
	f.StringVar(&o.timeFormat, "timestamp-format", "", "strftime pattern of the timestamps passed through --gegnum (default: nanoseconds)")
	f.BoolVar(&o.noWait, "no-wait", false, "exit with status 3 at once if another compaction runs")
	f.DurationVar(&g.grace, "grace", tsdb.DefaultGrace, "on object storage, how long replaced files stay for reads in flight before a compaction removes them (0: no other process uses the database)")
	noSyncFlag(cmd, &o.noSync)
	return cmd
}

func runCompact(g *globals, o *compactOptions) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	opts := compact.Options{Major: o.major, Gegnum: o.gegnum, NoWait: o.noWait, Stderr: os.Stderr}
	if o.timeFormat != "" {
		if opts.Layout, err = timefmt.ParseLayout(o.timeFormat); err != nil {
			return fmt.Errorf("--timestamp-format: %w", err)
		}
	}
	db, err := g.open(dir, o.noSync)
	if err != nil {
		return err
	}
	tty := isTerminal(os.Stderr)
	if tty {
		opts.Progress = func(rows uint64) { fmt.Fprintf(os.Stderr, "\rcompact: %d rows", rows) }
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := compact.Run(ctx, db, opts)
	if tty {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
	if err != nil && ctx.Err() != nil {
		// Run fails once interrupted unless it had already published: only
		// then is the database unchanged.
		return fmt.Errorf("compact: %w: the database is unchanged", errInterrupted)
	}
	if err != nil {
		if errors.Is(err, tsdb.ErrLocked) {
			return fmt.Errorf("compact: another compaction is running (%w)", err)
		}
		return fmt.Errorf("compact: %w", err)
	}
	fmt.Fprintln(os.Stderr, summary(res))
	return nil
}

// summary is the one line a compaction leaves on stderr (cron mail).
func summary(r compact.Result) string {
	if r.Output == "" {
		return "compact: nothing to merge"
	}
	return fmt.Sprintf("compact: merged %d files into %s: %d rows in %s",
		len(r.Inputs), r.Output, r.Rows, r.Duration.Round(time.Millisecond))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
