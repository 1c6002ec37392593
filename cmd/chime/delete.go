package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
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
			"added later are visible again; a major compaction removes them for good.",
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
	sel, err := o.bounds.selector(cmd, filters)
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
