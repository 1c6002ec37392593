package format

// Marker is one delete-marker record: it hides the rows of older files whose
// key matches Filter (a % pattern) and lies in [AfterKey, BeforeKey) and
// whose timestamp lies in [AfterTime, BeforeTime). A missing part (Has*
// false) does not restrict.
type Marker struct {
	Filter, AfterKey, BeforeKey          []byte
	AfterTime, BeforeTime                uint64
	HasFilter, HasAfterKey, HasBeforeKey bool
	HasAfterTime, HasBeforeTime          bool
}
