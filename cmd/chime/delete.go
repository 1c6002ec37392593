package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

type deleteOptions struct {
	bounds
	time   string
	noSync bool
}

func newDeleteCmd(g *globals) *cobra.Command {
	o := &deleteOptions{}
	cmd := &cobra.Command{
		Use:   "delete [FILTER] [--after-key K] [--before-key K] [--after-time T] [--before-time T] [--time T]",
		Short: "Delete the matching rows at once (a delete-marker transaction)",
		Long: "Publish a delete marker: rows matching it disappear from reads at once; rows\n" +
			"added later are visible again; a major compaction removes them for good.\n\n" +
			"As in sonnerie, FILTER, --after-key and --before-key are escaped like add's\n" +
			"input (unlike read's): 'a\\ b' is the key \"a b\", '\\x' is \"x\"; an unescaped\n" +
			"space or tab is refused.",
		Args: args(0, 1),
		RunE: runE(func(cmd *cobra.Command, a []string) error {
			return runDelete(cmd, g, o, a)
		}),
	}
	o.bounds.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.time, "time", "", "exactly this time")
	noSyncFlag(cmd, &o.noSync)
	cmd.MarkFlagsMutuallyExclusive("time", "after-time")
	cmd.MarkFlagsMutuallyExclusive("time", "before-time")
	return cmd
}

func runDelete(cmd *cobra.Command, g *globals, o *deleteOptions, filters []string) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	m, err := o.marker(cmd, filters)
	if err != nil {
		return err
	}
	db, err := g.open(dir, o.noSync)
	if err != nil {
		return err
	}
	if _, err := db.Delete(m); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// selectorFlags are delete's selector flags; without a FILTER, one of them
// is required.
var selectorFlags = []string{"after-key", "before-key", "after-time", "before-time", "time"}

// marker turns the FILTER and the selector flags into a delete marker.
func (o *deleteOptions) marker(cmd *cobra.Command, filters []string) (format.Marker, error) {
	var m format.Marker
	if len(filters) == 0 && !slices.ContainsFunc(selectorFlags, cmd.Flags().Changed) {
		return m, usagef("delete: give a FILTER or at least one of --%s", strings.Join(selectorFlags, ", --"))
	}
	b, filters, err := o.unescapedKeys(filters)
	if err != nil {
		return m, err
	}
	sel, err := b.selector(cmd, filters)
	if err != nil {
		return m, err
	}
	m = format.Marker{Bounds: sel.Bounds}
	if len(sel.Filters) == 1 {
		m.Filter, m.HasFilter = sel.Filters[0], true
	}
	if !cmd.Flags().Changed("time") {
		return m, nil
	}
	// --time excludes the other time bounds (cobra checks it): exactly t
	// is [t, t+1).
	if _, err := timeBound(cmd, "time", o.time, &m.AfterTime); err != nil {
		return m, err
	}
	m.HasAfterTime = true
	if m.AfterTime < math.MaxUint64 {
		m.BeforeTime, m.HasBeforeTime = m.AfterTime+1, true
	}
	return m, nil
}

// unescapedKeys returns the FILTERs and the key bounds unescaped: delete
// takes them as input tokens, as sonnerie does, while read takes them raw.
func (o *deleteOptions) unescapedKeys(filters []string) (bounds, []string, error) {
	b, out := o.bounds, slices.Clone(filters)
	var err error
	for i := 0; err == nil && i < len(out); i++ {
		err = unescapeKeyArg("FILTER", &out[i])
	}
	if err == nil {
		err = unescapeKeyArg("--after-key", &b.afterKey)
	}
	if err == nil {
		err = unescapeKeyArg("--before-key", &b.beforeKey)
	}
	return b, out, err
}

// unescapeKeyArg unescapes *v, the value of the argument named what. An
// argument that is not one token is a usage error that shows its escaped
// form: sonnerie silently cut it at its first blank (`delete 'a b'`
// deleted the key a).
func unescapeKeyArg(what string, v *string) error {
	tok, err := text.UnescapeArg([]byte(*v))
	var ae *text.ArgError
	if errors.As(err, &ae) {
		return usagef("delete: %s %q holds %s; delete takes keys escaped as add reads them: write %s", what, ae.Arg, ae.Problem, shellQuote(ae.Escaped))
	}
	*v = string(tok)
	return err
}

// shellQuote quotes s for a POSIX shell, so that a suggested argument can
// be pasted as it is printed.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
