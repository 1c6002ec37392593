package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

// bounds are the key and time range flags that read, delete, keys and
// stats share.
type bounds struct {
	afterKey, beforeKey, afterTime, beforeTime string
}

func (b *bounds) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&b.afterKey, "after-key", "", "first key (inclusive)")
	f.StringVar(&b.beforeKey, "before-key", "", "end key (exclusive)")
	f.StringVar(&b.afterTime, "after-time", "", "first time (inclusive): YYYY-MM-DD[THH:MM:SS[.frac]][Z|+hh:mm]")
	f.StringVar(&b.beforeTime, "before-time", "", "end time (exclusive)")
}

// selector turns the FILTERs (none: no filter, so every key within the
// key bounds) and the flags into a Selector. An inverted key range is a
// usage error; a bad time is an input error naming it.
func (b *bounds) selector(cmd *cobra.Command, filters []string) (*tsdb.Selector, error) {
	changed := cmd.Flags().Changed
	sel := &tsdb.Selector{Bounds: format.Bounds{AfterKey: []byte(b.afterKey), HasAfterKey: changed("after-key"), BeforeKey: []byte(b.beforeKey), HasBeforeKey: changed("before-key")}}
	if sel.HasAfterKey && sel.HasBeforeKey && b.afterKey > b.beforeKey {
		return nil, usagef("%s: --after-key %q is after --before-key %q", cmd.Name(), b.afterKey, b.beforeKey)
	}
	var err error
	if sel.HasAfterTime, err = timeBound(cmd, "after-time", b.afterTime, &sel.AfterTime); err != nil {
		return nil, err
	}
	if sel.HasBeforeTime, err = timeBound(cmd, "before-time", b.beforeTime, &sel.BeforeTime); err != nil {
		return nil, err
	}
	for _, f := range filters {
		sel.Filters = append(sel.Filters, []byte(f))
	}
	return sel, nil
}

// hasKeyBounds reports whether a key bound flag was given.
func (b *bounds) hasKeyBounds(cmd *cobra.Command) bool {
	return cmd.Flags().Changed("after-key") || cmd.Flags().Changed("before-key")
}

// timeBound parses the value of the time flag name into *ns; it reports
// whether the flag was given. A flag given empty is an error, not an
// absent bound: `delete --after-time=` must not delete everything.
func timeBound(cmd *cobra.Command, name, value string, ns *uint64) (bool, error) {
	if !cmd.Flags().Changed(name) {
		return false, nil
	}
	v, err := timefmt.ParseBound(value)
	if err != nil {
		return false, fmt.Errorf("--%s: %w", name, err)
	}
	*ns = v
	return true, nil
}
