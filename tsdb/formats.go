package tsdb

import (
	"github.com/chime-tsdb/chime/format"
)

// FormatUse is a row format of the blocks that may hold selected rows,
// and the first key (in key order) with such a block.
type FormatUse struct {
	Format format.Format
	Key    []byte
}

// Formats lists, from the index and before any row is read, the distinct
// formats of the blocks that may hold rows sel selects (nil: every row),
// each once, in the order first met: what a typed output such as Parquet
// needs to choose its column types before streaming. Blocks outside the
// time bounds or wholly hidden by delete markers are left out; a block
// whose rows are all overwritten still counts.
func (s *Snapshot) Formats(sel *Selector) ([]FormatUse, error) {
	p := compile(sel)
	var uses []FormatUse
	seen := map[format.Format]bool{}
	err := s.walk(p, compileMarkers(s.markers), func(u *keyUnit) error {
		for i := range u.refs {
			f := u.refs[i].entry.Format
			if seen[f] || viewRef(&u.refs[i], u.markers, p.tlo, p.thi).hidden {
				continue
			}
			seen[f] = true
			uses = append(uses, FormatUse{Format: f, Key: append([]byte(nil), u.key...)})
		}
		return nil
	})
	return uses, err
}
