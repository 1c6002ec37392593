package server

import (
	"errors"

	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// aggRead is an aggregated read (`GET /<filter>?step=1h&agg=mean,max`):
// read --agg's query and the merged series' name (nil: per key).
type aggRead struct {
	q     *agg.Query
	merge []byte
}

// aggregation reads the parameters agg, step, offset and merge, as read
// takes --agg, --step, --offset and --merge; it is nil when none of agg,
// step and merge is given. agg defaults to mean.
func aggregation(q *params) (*aggRead, error) {
	list, hasList, err := q.str("agg")
	step, hasStep, err2 := q.str("step")
	offset, hasOffset, err3 := q.str("offset")
	merge, hasMerge, err4 := q.str("merge")
	if err := firstErr(err, err2, err3, err4); err != nil {
		return nil, err
	}
	switch {
	case hasOffset && !hasStep:
		return nil, badRequest("offset needs step")
	case !hasList && !hasStep && !hasMerge:
		return nil, nil
	case hasMerge && merge == "":
		return nil, badRequest("merge: the merged series needs a name")
	}
	a := &aggRead{q: &agg.Query{}}
	if hasMerge {
		a.merge = []byte(merge)
	}
	if !hasList {
		list = "mean"
	}
	if a.q.Funcs, err = agg.ParseList(list); err != nil {
		return nil, badRequest("agg: %v", err)
	}
	if hasStep {
		if a.q.Step, err = agg.ParseDuration(step); err != nil {
			return nil, badRequest("step: %v", err)
		}
	}
	if hasOffset {
		if a.q.Offset, err = agg.ParseDuration(offset); err != nil {
			return nil, badRequest("offset: %v", err)
		}
	}
	return a, nil
}

// prepare checks the columns' types against the aggregates from the index
// and sizes the CSV header: a column that cannot be aggregated so is a
// bad request.
func (a *aggRead) prepare(snap *tsdb.Snapshot, sel *tsdb.Selector, out *output) error {
	width, err := snap.AggregateWidth(sel, a.q)
	if errors.Is(err, agg.ErrColumnType) {
		return badRequest("%v (choose other columns with columns=)", err)
	}
	if err != nil || !out.out.NeedsWidth() {
		return err
	}
	out.header = out.out.Header(width, a.q.Names(width))
	return nil
}

// scan streams the aggregated rows.
func (a *aggRead) scan(snap *tsdb.Snapshot, sel *tsdb.Selector, render tsdb.AppendFunc, write func([]byte) error) error {
	return snap.AggregateAppend(sel, a.q, &tsdb.AggregateOptions{Merge: a.merge}, render, write)
}
