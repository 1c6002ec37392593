package format

import "math"

// Bounds restrict keys to [AfterKey, BeforeKey) in byte order and
// timestamps to [AfterTime, BeforeTime); a bound applies only when its Has
// flag is set, so the zero value restricts nothing. Reads (tsdb.Selector)
// and delete markers share them.
type Bounds struct {
	AfterKey, BeforeKey         []byte
	AfterTime, BeforeTime       uint64
	HasAfterKey, HasBeforeKey   bool
	HasAfterTime, HasBeforeTime bool
}

// TimeRange returns the timestamps the bounds allow as an inclusive range
// [lo, hi]; ok is false when there is none.
func (b *Bounds) TimeRange() (lo, hi uint64, ok bool) {
	lo, hi = 0, math.MaxUint64
	if b.HasAfterTime {
		lo = b.AfterTime
	}
	if b.HasBeforeTime {
		if b.BeforeTime == 0 {
			return 0, 0, false
		}
		hi = b.BeforeTime - 1
	}
	return lo, hi, lo <= hi
}

// Marker is one delete-marker record: it hides the rows of older files whose
// key matches Filter (a % pattern, when HasFilter) and whose key and time lie
// within the Bounds.
type Marker struct {
	Filter    []byte
	HasFilter bool
	Bounds
}
