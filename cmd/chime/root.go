package main

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// globals are the flags every database command shares.
type globals struct {
	dir        string
	cache      string
	grace      time.Duration
	noMmap     bool
	s3Stores   []*s3.Store // opened, for reportRequests
	cpuProfile string
	stopProf   func()
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "chime",
		Short:         "A command-line time-series database",
		Long:          "chime stores time series in a directory: sorted text rows in with add, merged rows out with read.",
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().StringVarP(&g.dir, "dir", "d", "", "database directory, or s3://BUCKET/PREFIX")
	root.PersistentFlags().StringVar(&g.cache, "cache", "", "cache the byte ranges read from s3:// databases in this directory")
	root.PersistentFlags().BoolVar(&g.noMmap, "no-mmap", false, "read files with pread instead of mmap")
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return g.startProfile() }
	root.PersistentPostRun = func(*cobra.Command, []string) { g.stopProfile(); g.reportRequests() }
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newInitCmd(g), newAddCmd(g), newReadCmd(g), newDeleteCmd(g), newCompactCmd(g), newServeCmd(g), newPlotCmd(g), newKeysCmd(g), newStatsCmd(g), newCheckCmd(g), newSyncCmd(g))
	return root
}

// version reports the module version when built from a tagged module, and
// the VCS revision otherwise.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v = fmt.Sprintf("%s (%s)", v, s.Value[:12])
		}
	}
	return v
}

// needDir returns -d's value or a usage error.
func (g *globals) needDir() (string, error) {
	if g.dir == "" {
		return "", usagef("missing -d/--dir DIR: which database?")
	}
	return g.dir, nil
}

// graceFlag checks --grace: a duration of 0 or more, where 0 (none)
// becomes tsdb.NoGrace, since tsdb's zero means its default.
func (g *globals) graceFlag() error {
	switch {
	case g.grace < 0:
		return usagef("--grace %s: want a duration of 0 or more (1h, 10m, 0)", g.grace)
	case g.grace == 0:
		g.grace = tsdb.NoGrace
	}
	return nil
}

// dbOptions are the tsdb.Options of the global flags and a command's
// --no-sync (false for commands that only read).
func (g *globals) dbOptions(noSync bool) *tsdb.Options {
	return &tsdb.Options{NoSync: noSync, NoMmap: g.noMmap, Grace: g.grace}
}

// openSnapshot opens the database in dir and takes a snapshot.
func (g *globals) openSnapshot(dir string) (*tsdb.Snapshot, error) {
	db, err := g.open(dir, false)
	if err != nil {
		return nil, err
	}
	return db.Snapshot()
}

// args accepts between lo and hi positional arguments (hi < 0: any).
func args(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		switch {
		case hi >= 0 && len(a) > hi:
			return usagef("%s: unexpected argument %q (see chime %s --help)", cmd.Name(), a[hi], cmd.Name())
		case len(a) < lo:
			return usagef("%s: missing argument (see chime %s --help)", cmd.Name(), cmd.Name())
		}
		return nil
	}
}
