package server

import (
	"net/http"
	"strconv"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// keys answers `GET {base}/<filter>?keys` as the keys command: the keys
// that have a visible row, one per line, escaped as read prints keys, or
// with json (or output=json) a JSON string per line; with count only
// their number (json: {"count":N}). Without a filter every key is listed;
// key and time bounds narrow the listing as they do reads.
func (s *Server) keys(w http.ResponseWriter, r *http.Request, q *params) error {
	sel, err := selection(r.PathValue("filter"), q)
	if err != nil {
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
	var errs [7]error
	var prefix, suffix, startAfter string
	prefix, _, errs[0] = q.str("prefix")
	suffix, _, errs[1] = q.str("suffix")
	startAfter, _, errs[2] = q.str("start-after")
	o.Prefix, o.Suffix, o.StartAfter = []byte(prefix), []byte(suffix), []byte(startAfter)
	o.Limit, errs[3] = q.uint("limit", 0)
	o.Offset, errs[4] = q.uint("offset", 0)
	o.Reverse, errs[5] = q.flag("reverse")
	count, errs[6] = q.flag("count")
	if err := firstErr(errs[:]...); err != nil {
		return o, false, false, err
	}
	jsonOut, err = jsonLines(q, "keys")
	return o, count, jsonOut, err
}

// jsonLines reads the output choice of a listing (keys, databases): text
// lines, or JSON strings with json or output=json.
func jsonLines(q *params, what string) (bool, error) {
	kind, _, err := q.str("output")
	jsonOut, err2 := q.flag("json")
	if err := firstErr(err, err2); err != nil {
		return false, err
	}
	if kind != "" && kind != "text" && kind != "json" {
		return false, badRequest("output=%q: %s are listed as text or json", kind, what)
	}
	return jsonOut || kind == "json", nil
}

// linesType is the content type of a listing's lines.
func linesType(jsonOut bool) string {
	if jsonOut {
		return ndjsonType
	}
	return textType
}

// writeKeys streams the listing, flushing every 64 KiB.
func (s *Server) writeKeys(w http.ResponseWriter, snap *tsdb.Snapshot, sel *tsdb.Selector, o tsdb.KeyListOptions, count, jsonOut bool) error {
	var buf []byte
	n := 0
	sw := newStreamWriter(w, linesType(jsonOut), s.o.WriteTimeout)
	err := snap.ListKeys(sel, o, func(key []byte) error {
		n++
		switch {
		case count:
			return nil
		case jsonOut:
			buf = append(text.AppendJSONString(buf, key), '\n')
		default:
			buf = append(text.AppendEscaped(buf, key), '\n')
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
