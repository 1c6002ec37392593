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

// A subcommand is one of chime's commands and its constructor.
type subcommand struct {
	name string
	new  func(*globals) *cobra.Command
}

// subcommands are chime's commands, in the order of the help text.
var subcommands = []subcommand{
	{"init", newInitCmd}, {"add", newAddCmd}, {"read", newReadCmd}, {"delete", newDeleteCmd},
	{"compact", newCompactCmd}, {"serve", newServeCmd}, {"plot", newPlotCmd}, {"keys", newKeysCmd},
	{"stats", newStatsCmd}, {"check", newCheckCmd}, {"sync", newSyncCmd},
}

// newRootCmd builds the command tree that args (os.Args[1:]) run. When
// they name one of chime's commands, only that command is built, with no
// completion commands: defining every command's flags and cobra's
// completion commands took 0.07 ms of the 2.1 ms a missing-key read takes.
// Anything else (help, completion, a typo, --version) gets the whole tree,
// so help and suggestions list every command.
func newRootCmd(args []string) *cobra.Command {
	g := &globals{}
	root := newRoot(g)
	name := commandName(root, args)
	for _, c := range subcommands {
		if name == "" || name == c.name {
			root.AddCommand(c.new(g))
		}
	}
	if name == "" {
		root.Version = version()
	} else {
		root.CompletionOptions.DisableDefaultCmd = true
	}
	return root
}

// newRoot is the root command, with the global flags, and no commands.
func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "chime",
		Short:         "A command-line time-series database",
		Long:          "chime stores time series in a directory: sorted text rows in with add, merged rows out with read.",
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
	return root
}

// commandName returns the chime command that args name, as cobra finds
// it (past root's flags and their values), or "" for anything else: help,
// completion, no command, or a word that is none. It finds it among
// stand-ins, which it removes again.
func commandName(root *cobra.Command, args []string) string {
	stubs := make([]*cobra.Command, len(subcommands))
	for i, c := range subcommands {
		stubs[i] = &cobra.Command{Use: c.name, Run: func(*cobra.Command, []string) {}}
	}
	root.AddCommand(stubs...)
	defer root.RemoveCommand(stubs...)
	cmd, _, err := root.Find(args)
	if err != nil || cmd == root {
		return ""
	}
	return cmd.Name()
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
