package tsdb

import (
	"errors"
	"fmt"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// Delete publishes one delete-marker transaction: the rows the markers
// cover disappear from every snapshot taken afterwards, while rows written
// later are visible again. It returns the name of the published file.
func (db *DB) Delete(markers ...format.Marker) (string, error) {
	if len(markers) == 0 {
		return "", errors.New("delete: no marker")
	}
	for i := range markers {
		if err := checkMarker(&markers[i]); err != nil {
			return "", err
		}
	}
	tx, err := db.begin(segment.Options{Kind: segment.KindMarkers, Markers: markers}, db.lim)
	if err != nil {
		return "", err
	}
	return tx.publish()
}

// checkMarker refuses a marker its file could not hold.
func checkMarker(m *format.Marker) error {
	for _, k := range [][]byte{m.Filter, m.AfterKey, m.BeforeKey} {
		if len(k) > format.MaxKeyLen {
			return fmt.Errorf("delete: a key or filter of %d bytes, more than %d", len(k), format.MaxKeyLen)
		}
	}
	return nil
}
