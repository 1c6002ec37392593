package server

import (
	"net/http"
	"strconv"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/tsdb"
)

// keys answers `GET {base}/<filter>?keys` as the keys command: the keys
// that have a visible row, one per line, escaped as read prints keys, or
// with json (or output=json) a JSON string per line; with count only
// their number (json: {"count":N}). Without a filter every key is listed;
// key and time bounds narrow the listing as they do reads.
func (s *Server) keys(w http.ResponseWriter, r *http.Request, q *params) error {
	sel := &tsdb.Selector{}
	if f := r.PathValue("filter"); f != "" {
		sel.Filters = append(sel.Filters, []byte(f))
	}
	for _, f := range q.list("filter") {
		sel.Filters = append(sel.Filters, []byte(f))
	}
	if err := firstErr(keyBounds(q, sel), timeBounds(q, sel)); err != nil {
		return err
	}
	o, count, jsonOut, err := keyOptions(q)
	if err != nil {
		return err
	}
	if err := q.done(); err != nil {
		return err
	}
	return s.withSnapshot(r, func(snap *tsdb.Snapshot) error {
		return s.writeKeys(w, snap, sel, o, count, jsonOut)
	})
}

// keyOptions reads the keys command's options.
func keyOptions(q *params) (o tsdb.KeyListOptions, count, jsonOut bool, err error) {
	var errs [8]error
	var prefix, suffix, startAfter string
	prefix, _, errs[0] = q.str("prefix")
	suffix, _, errs[1] = q.str("suffix")
	startAfter, _, errs[2] = q.str("start-after")
	o.Prefix, o.Suffix, o.StartAfter = []byte(prefix), []byte(suffix), []byte(startAfter)
	o.Limit, errs[3] = q.uint("limit", 0)
	o.Offset, errs[4] = q.uint("offset", 0)
	o.Reverse, errs[5] = q.flag("reverse")
	count, errs[6] = q.flag("count")
	jsonOut, errs[7] = q.flag("json")
	kind, _, err := q.str("output")
	if err := firstErr(append(errs[:], err)...); err != nil {
		return o, false, false, err
	}
	if kind != "" && kind != "text" && kind != "json" {
		return o, false, false, badRequest("output=%q: keys are listed as text or json", kind)
	}
	return o, count, jsonOut || kind == "json", nil
}

// writeKeys streams the listing, flushing every 64 KiB.
func (s *Server) writeKeys(w http.ResponseWriter, snap *tsdb.Snapshot, sel *tsdb.Selector, o tsdb.KeyListOptions, count, jsonOut bool) error {
	ct := "text/plain; charset=utf-8"
	if jsonOut {
		ct = "application/x-ndjson"
	}
	var buf []byte
	n := 0
	sw := newStreamWriter(w, ct, s.o.WriteTimeout)
	err := snap.ListKeys(sel, o, func(key []byte) error {
		n++
		switch {
		case count:
			return nil
		case jsonOut:
			buf = append(format.AppendJSONString(buf, key), '\n')
		default:
			buf = append(format.AppendEscaped(buf, key), '\n')
		}
		if len(buf) < 64<<10 {
			return nil
		}
		err := sw.write(buf)
		buf = buf[:0]
		return err
	})
	if count && jsonOut {
		buf = append(strconv.AppendInt(append(buf, `{"count":`...), int64(n), 10), "}\n"...)
	} else if count {
		buf = append(strconv.AppendInt(buf, int64(n), 10), '\n')
	}
	if err == nil && len(buf) > 0 {
		err = sw.write(buf)
	}
	return sw.finish(err)
}
