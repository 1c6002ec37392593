package main

import (
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
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
	f.BoolVar(&o.noSync, "no-sync", false, "skip fsync: atomic against crashes, not against power loss")
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
	db, err := tsdb.Open(dir, &tsdb.Options{NoSync: o.noSync, NoMmap: g.noMmap})
	if err != nil {
		return err
	}
	if _, err := db.Delete(m); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// marker turns the selector flags into a delete marker.
func (o *deleteOptions) marker(cmd *cobra.Command, filters []string) (format.Marker, error) {
	var m format.Marker
	changed := cmd.Flags().Changed
	if len(filters) == 0 && !o.hasKeyBounds(cmd) && !changed("after-time") && !changed("before-time") && !changed("time") {
		return m, usagef("delete: give a FILTER or at least one of --after-key, --before-key, --after-time, --before-time, --time")
	}
	sel, err := o.bounds.selector(cmd)
	if err != nil {
		return m, err
	}
	m = format.Marker{AfterKey: sel.AfterKey, HasAfterKey: sel.HasAfterKey, BeforeKey: sel.BeforeKey,
		HasBeforeKey: sel.HasBeforeKey, AfterTime: sel.AfterTime, HasAfterTime: sel.HasAfterTime,
		BeforeTime: sel.BeforeTime, HasBeforeTime: sel.HasBeforeTime}
	if len(filters) == 1 {
		m.Filter, m.HasFilter = []byte(filters[0]), true
	}
	if o.time != "" {
		if _, err = timeBound("--time", o.time, &m.AfterTime); err != nil {
			return m, err
		}
		m.HasAfterTime = true
		if m.AfterTime < math.MaxUint64 {
			m.BeforeTime, m.HasBeforeTime = m.AfterTime+1, true
		}
	}
	return m, nil
}
