package server

import (
	"net/http"
	"strconv"

	"github.com/chime-tsdb/chime/tsdb"
)

// span answers `GET {base}/<filter>?span`: the time span of the selected
// rows from the index, as one JSON object
// {"first":NANOS,"last":NANOS,"rows":N}, or {"rows":0} when nothing is
// selected. As chime stats says without --exact, rows is at most, first at
// most and last at least the true figure (overwritten and deleted rows may
// count): the web UI takes the range of a chart of "all" from it.
func (s *Server) span(w http.ResponseWriter, r *http.Request, q *params) error {
	sel, err := readSelector(r.PathValue("filter"), q)
	if err != nil {
		return err
	}
	if err := q.done(); err != nil {
		return err
	}
	return s.withSnapshot(r, func(snap *tsdb.Snapshot) error {
		st, err := snap.Stats(sel, tsdb.StatsOptions{})
		if err != nil {
			return err
		}
		b := []byte(`{"rows":0}` + "\n")
		if st.Rows > 0 {
			b = strconv.AppendUint([]byte(`{"first":`), st.First, 10)
			b = strconv.AppendUint(append(b, `,"last":`...), st.Last, 10)
			b = strconv.AppendUint(append(b, `,"rows":`...), st.Rows, 10)
			b = append(b, "}\n"...)
		}
		w.Header().Set("Content-Type", "application/json")
		_, err = w.Write(b)
		return err
	})
}
