package main

import (
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
)

type deleteOptions struct {
	afterKey, beforeKey         string
	afterTime, beforeTime, time string
	noSync                      bool
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
	f := cmd.Flags()
	f.StringVar(&o.afterKey, "after-key", "", "first key (inclusive)")
	f.StringVar(&o.beforeKey, "before-key", "", "end key (exclusive)")
	f.StringVar(&o.afterTime, "after-time", "", "first time (inclusive)")
	f.StringVar(&o.beforeTime, "before-time", "", "end time (exclusive)")
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
	changed := cmd.Flags().Changed
	m := format.Marker{
		AfterKey: []byte(o.afterKey), HasAfterKey: changed("after-key"),
		BeforeKey: []byte(o.beforeKey), HasBeforeKey: changed("before-key"),
	}
	if len(filters) == 1 {
		m.Filter, m.HasFilter = []byte(filters[0]), true
	}
	any := m.HasFilter || m.HasAfterKey || m.HasBeforeKey
	for _, name := range []string{"after-time", "before-time", "time"} {
		any = any || changed(name)
	}
	if !any {
		return m, usagef("delete: give a FILTER or at least one of --after-key, --before-key, --after-time, --before-time, --time")
	}
	if m.HasAfterKey && m.HasBeforeKey && o.afterKey > o.beforeKey {
		return m, usagef("delete: --after-key %q is after --before-key %q", o.afterKey, o.beforeKey)
	}
	var err error
	if m.HasAfterTime, err = timeBound("--after-time", o.afterTime, &m.AfterTime); err != nil {
		return m, err
	}
	if m.HasBeforeTime, err = timeBound("--before-time", o.beforeTime, &m.BeforeTime); err != nil {
		return m, err
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
