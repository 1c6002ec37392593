package server

import (
	"net/http"

	"github.com/chime-tsdb/chime/tsdb"
)

// get answers `GET {base}/<filter>`: the selected rows, streamed, the
// keys with ?keys, or their time span with ?span.
func (s *Server) get(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	keys, err := q.flag("keys")
	if err != nil {
		return err
	}
	if keys {
		return s.keys(w, r, q)
	}
	span, err := q.flag("span")
	if err != nil {
		return err
	}
	if span {
		return s.span(w, r, q)
	}
	sel, err := readSelector(r.PathValue("filter"), q)
	if err != nil {
		return err
	}
	aggr, err := aggregation(q)
	if err != nil {
		return err
	}
	out, err := readOutput(q, aggr)
	if err != nil {
		return err
	}
	if err := q.done(); err != nil {
		return err
	}
	return s.withSnapshot(r, func(snap *tsdb.Snapshot) error {
		if err := out.prepare(snap, sel); err != nil {
			return err
		}
		return s.stream(w, snap, sel, out)
	})
}

// selection builds the selector of reads and key listings from the
// path's filter, every `filter` parameter (their union) and the bounds,
// with read's rules: filters and key bounds cannot be combined. Without
// filters or key bounds it selects every key.
func selection(pathFilter string, q *params) (*tsdb.Selector, error) {
	sel := &tsdb.Selector{}
	if pathFilter != "" {
		sel.Filters = append(sel.Filters, []byte(pathFilter))
	}
	for _, f := range q.list("filter") {
		sel.Filters = append(sel.Filters, []byte(f))
	}
	if err := firstErr(keyBounds(q, sel, rawKey), timeBounds(q, sel)); err != nil {
		return nil, err
	}
	return sel, nil
}

// readSelector is the selection of a read. Unlike read, no filter at all
// is not an error but selects nothing, as `GET /` did in sonnerie.
func readSelector(pathFilter string, q *params) (*tsdb.Selector, error) {
	sel, err := selection(pathFilter, q)
	if err == nil && sel.Filters == nil && !sel.HasAfterKey && !sel.HasBeforeKey {
		sel.Filters = [][]byte{} // no filter, which selects nothing
	}
	return sel, err
}

// keyBounds reads after-key and before-key into sel, raw (reads) or
// escaped (deletes) as key says.
func keyBounds(q *params, sel *tsdb.Selector, key keyArg) error {
	after, hasAfter, err := q.key("after-key", key)
	if err != nil {
		return err
	}
	before, hasBefore, err := q.key("before-key", key)
	if err != nil {
		return err
	}
	switch {
	case (hasAfter || hasBefore) && len(sel.Filters) > 0:
		return badRequest("a filter and after-key/before-key cannot be combined")
	case hasAfter && hasBefore && after > before:
		return badRequest("after-key %q is after before-key %q", after, before)
	}
	sel.AfterKey, sel.HasAfterKey = []byte(after), hasAfter
	sel.BeforeKey, sel.HasBeforeKey = []byte(before), hasBefore
	return nil
}

// timeBounds reads after-time and before-time into sel.
func timeBounds(q *params, sel *tsdb.Selector) error {
	var err error
	if sel.AfterTime, sel.HasAfterTime, err = q.time("after-time"); err != nil {
		return err
	}
	sel.BeforeTime, sel.HasBeforeTime, err = q.time("before-time")
	return err
}

// stream writes the rows of sel as they are rendered (see streamWriter).
func (s *Server) stream(w http.ResponseWriter, snap *tsdb.Snapshot, sel *tsdb.Selector, out *output) error {
	sw := newStreamWriter(w, out.contentType, s.o.WriteTimeout)
	write := sw.write
	if len(out.header) > 0 {
		write = func(b []byte) error {
			if !sw.started {
				b = append(out.header, b...)
			}
			return sw.write(b)
		}
	}
	var err error
	if out.agg != nil {
		err = out.agg.scan(snap, sel, out.render, write)
	} else {
		err = snap.ScanAppend(sel, 0, out.render, write)
	}
	if err == nil && !sw.started && len(out.header) > 0 {
		err = write(nil)
	}
	return sw.finish(err)
}
