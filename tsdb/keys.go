package tsdb

// Keys calls fn for every selected key that has blocks in the time range,
// in key order, with an upper bound of its rows from the index (overwritten
// or deleted rows are counted). It reads the indexes only, not the blocks.
// fn may keep key.
func (s *Snapshot) Keys(sel *Selector, fn func(key []byte, rows int) error) error {
	p := compile(sel)
	return s.walk(p, nil, func(u *keyUnit) error { return fn(u.key, u.rows) })
}
