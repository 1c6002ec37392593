package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb"
)

type checkOptions struct {
	repair bool
}

func newCheckCmd(g *globals) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [--repair]",
		Short: "Verify every file of the database; --repair moves damaged transaction files aside",
		Long: "Verify every file of the database: the checksums of every block, index page,\n" +
			"top index, meta section and footer; key and time order; every block decoded\n" +
			"against the index; row counts; included lists. Each problem is one line on\n" +
			"stderr, the summary one line on stdout; the exit status is 0 when the database\n" +
			"is healthy (warnings aside), 1 when not.\n\n" +
			"--repair moves each damaged transaction file (after a --no-sync commit torn by\n" +
			"a power loss) aside to NAME.damaged, which chime never reads, and says what it\n" +
			"held. It never touches main: restore a damaged main from a backup.",
		Args: args(0, 0),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if err := g.graceFlag(); err != nil {
				return err
			}
			return runCheck(g, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		}),
	}
	cmd.Flags().BoolVar(&o.repair, "repair", false, "move damaged transaction files aside (to NAME.damaged)")
	cmd.Flags().DurationVar(&g.grace, "grace", tsdb.DefaultGrace, "on object storage, how old an incomplete upload must be before --repair aborts it")
	return cmd
}

func runCheck(g *globals, o *checkOptions, stdout, stderr io.Writer) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	db, err := g.open(dir, false)
	if err != nil {
		return err
	}
	if !o.repair {
		r, err := db.Check()
		if err != nil {
			return fmt.Errorf("check: %w", err)
		}
		printProblems(stderr, r)
		return summarize(stdout, dir, r)
	}
	r, moved, err := db.Repair()
	if r != nil {
		printProblems(stderr, r)
	}
	for _, m := range moved {
		fmt.Fprintln(stdout, describeMoved(m))
	}
	if errors.Is(err, tsdb.ErrMainDamaged) {
		return errors.New("check: main is damaged and --repair never touches it: restore main from a backup (nothing was changed)")
	}
	if err != nil {
		return fmt.Errorf("check: repair: %w", err)
	}
	if r, err = db.Check(); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if !r.Healthy() { // damage appeared meanwhile, or could not be moved
		printProblems(stderr, r)
	}
	return summarize(stdout, dir, r)
}

// printProblems writes one line per problem.
func printProblems(w io.Writer, r *tsdb.CheckReport) {
	for _, p := range r.Problems {
		label := ""
		if p.Warning {
			label = "warning: "
		}
		fmt.Fprintf(w, "chime: check: %s%s: %s\n", label, p.File, format.OneLine(p.Err.Error()))
	}
}

// summarize prints the summary line and returns the error that makes the
// exit status 1 when the database is damaged.
func summarize(w io.Writer, dir string, r *tsdb.CheckReport) error {
	rows, blocks := r.Totals()
	warnings := 0
	for _, p := range r.Problems {
		if p.Warning {
			warnings++
		}
	}
	state := "ok"
	var damaged []string
	for _, f := range r.Damaged() {
		damaged = append(damaged, f.Name)
	}
	if len(damaged) > 0 {
		state = fmt.Sprintf("%d damaged (%s)", len(damaged), strings.Join(damaged, ", "))
	}
	fmt.Fprintf(w, "check: %s, %s in %s: %s, %s\n", plural(uint64(len(r.Files)), "file"), plural(rows, "row"),
		plural(blocks, "block"), state, plural(uint64(warnings), "warning"))
	switch {
	case len(damaged) == 0:
		return nil
	case damaged[0] == tsdb.MainName:
		return errors.New("check: main is damaged: restore it from a backup (check --repair never touches main)")
	}
	return fmt.Errorf("check: %s damaged; `chime -d %s check --repair` moves damaged transaction files aside (their rows are lost)",
		plural(uint64(len(damaged)), "transaction file"), dir)
}

// describeMoved says what a file moved aside held, as far as its footer
// and index tell.
func describeMoved(m tsdb.Moved) string {
	head := fmt.Sprintf("check: moved %s aside to %s: ", m.Name, m.To)
	switch {
	case m.IncludedBy != "":
		return head + fmt.Sprintf("nothing lost: %s already includes it", m.IncludedBy)
	case !m.FooterOK:
		return head + "dropped its rows or delete markers; its footer is unreadable, so how many is unknown"
	case m.Kind == segment.KindMarkers && m.MetaOK:
		return head + fmt.Sprintf("dropped its %s: the rows they deleted are visible again", plural(uint64(m.Markers), "delete marker"))
	case m.Kind == segment.KindMarkers:
		return head + "dropped its delete markers (unreadable): the rows they deleted are visible again"
	}
	s := head + fmt.Sprintf("dropped its %s in %s (per its footer)", plural(m.Rows, "row"), plural(m.Blocks, "block"))
	if m.KeysOK {
		s += fmt.Sprintf(", keys %s to %s", quoteKey(m.FirstKey), quoteKey(m.LastKey))
	}
	return s
}

func quoteKey(k []byte) string {
	if len(k) > 64 {
		return fmt.Sprintf("%q...", k[:64])
	}
	return fmt.Sprintf("%q", k)
}

// plural is "1 row", "2 rows".
func plural(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
