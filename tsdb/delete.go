package tsdb

import (
	"fmt"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// Delete publishes one delete-marker transaction: the rows the markers
// cover disappear from every snapshot taken afterwards, while rows written
// later are visible again. It returns the name of the published file.
func (db *DB) Delete(markers ...format.Marker) (string, error) {
	if len(markers) == 0 {
		return "", fmt.Errorf("delete: no marker")
	}
	tx, err := db.begin(segment.KindMarkers)
	if err != nil {
		return "", err
	}
	for _, m := range markers {
		tx.w.AddMarker(m)
	}
	return tx.publish()
}
