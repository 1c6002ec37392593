package tsdb

import (
	"bytes"
	"errors"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// KeyListOptions narrow and page a key listing (chime keys, serve's key
// listing). The zero value lists every selected key in byte order.
type KeyListOptions struct {
	// Prefix keeps the keys that start with it. It narrows the index
	// seek, so a prefix is cheap however large the database.
	Prefix []byte
	// Suffix keeps the keys that end with it, checked key by key.
	Suffix []byte
	// StartAfter, when not empty, lists only the keys after it (before it
	// with Reverse), itself excluded: the last key of one page is the
	// StartAfter of the next.
	StartAfter []byte
	// Offset skips that many of the listed keys; then Limit, when above
	// zero, stops after that many.
	Offset, Limit int
	// Reverse lists in descending byte order.
	Reverse bool
}

// reverseChunk is how many candidate keys a reverse listing gathers at a
// time: its memory is that many keys plus one in every reverseChunk. A
// variable so that tests can make chunks small.
var reverseChunk = 4096

// errLimit stops a listing's walk once Limit keys are listed.
var errLimit = errors.New("limit reached")

// ListKeys calls fn with every distinct key that has at least one visible
// row in the selection, in byte order (descending with opts.Reverse),
// narrowed and paged by opts. It reads the file indexes; it decodes blocks
// only for the keys it cannot settle from the index: those that time-bounded
// delete markers touch, or whose blocks straddle the selection's time
// bounds. A marker without time bounds that covers a key hides it without
// decoding. key is valid only during the call. fn's error stops the
// listing and is returned.
//
// A reverse listing walks the index twice: first to note one key in every
// reverseChunk, then chunk by chunk from the end, so its memory stays
// bounded however many keys there are.
func (s *Snapshot) ListKeys(sel *Selector, opts KeyListOptions, fn func(key []byte) error) error {
	l := &keyLister{s: s, opts: opts, fn: fn, markers: compileMarkers(s.markers)}
	narrowed := opts.narrow(sel)
	var err error
	if opts.Reverse {
		err = l.reverse(narrowed)
	} else {
		err = l.forward(narrowed)
	}
	if err == errLimit {
		err = nil
	}
	return err
}

// narrow returns a copy of sel (nil: every row) whose key bounds also
// enforce the prefix and the start key.
func (o *KeyListOptions) narrow(sel *Selector) *Selector {
	var n Selector
	if sel != nil {
		n = *sel
	}
	if len(o.Prefix) > 0 {
		n.raiseAfter(o.Prefix)
		if end := prefixEnd(o.Prefix); end != nil {
			n.lowerBefore(end)
		}
	}
	if len(o.StartAfter) > 0 {
		if o.Reverse {
			n.lowerBefore(o.StartAfter)
		} else {
			// The smallest key above StartAfter.
			n.raiseAfter(append(slices.Clip(o.StartAfter), 0))
		}
	}
	return &n
}

// raiseAfter makes the selection start at k or later.
func (s *Selector) raiseAfter(k []byte) {
	if !s.HasAfterKey || bytes.Compare(k, s.AfterKey) > 0 {
		s.AfterKey, s.HasAfterKey = k, true
	}
}

// lowerBefore makes the selection end at k or before.
func (s *Selector) lowerBefore(k []byte) {
	if !s.HasBeforeKey || bytes.Compare(k, s.BeforeKey) < 0 {
		s.BeforeKey, s.HasBeforeKey = k, true
	}
}

// keyLister is one ListKeys call.
type keyLister struct {
	s       *Snapshot
	opts    KeyListOptions
	fn      func(key []byte) error
	markers []*marker
	m       merger
	skipped int // of opts.Offset
	listed  int
}

func (l *keyLister) forward(sel *Selector) error {
	p := compile(sel)
	p.prefetch = l.opts.Limit == 0 // a page of keys reads a few index pages
	return l.s.walk(p, l.markers, func(u *keyUnit) error {
		ok, err := l.visible(p, u)
		if !ok || err != nil {
			return err
		}
		return l.list(u.key)
	})
}

// visible reports whether u is a key to list: it has the suffix and a
// visible row.
func (l *keyLister) visible(p *query, u *keyUnit) (bool, error) {
	if !bytes.HasSuffix(u.key, l.opts.Suffix) {
		return false, nil
	}
	return l.m.visible(u, p.tlo, p.thi)
}

// list applies the offset and the limit to a key to list.
func (l *keyLister) list(key []byte) error {
	if l.skipped < l.opts.Offset {
		l.skipped++
		return nil
	}
	if err := l.fn(key); err != nil {
		return err
	}
	l.listed++
	if l.opts.Limit > 0 && l.listed >= l.opts.Limit {
		return errLimit
	}
	return nil
}

// reverse lists the keys of sel from the last. A first walk notes the
// first of every reverseChunk candidate keys (keys of the index, before
// any block is decoded); then each chunk, from the last, is walked again
// and its visible keys listed backwards.
func (l *keyLister) reverse(sel *Selector) error {
	var starts [][]byte
	n := 0
	err := l.s.walk(compile(sel), nil, func(u *keyUnit) error {
		if n%reverseChunk == 0 {
			starts = append(starts, u.key)
		}
		n++
		return nil
	})
	for i := len(starts) - 1; i >= 0 && err == nil; i-- {
		chunk := *sel
		chunk.raiseAfter(starts[i])
		if i+1 < len(starts) {
			chunk.lowerBefore(starts[i+1])
		}
		err = l.reverseChunk(&chunk)
	}
	return err
}

// reverseChunk lists the visible keys of sel, at most reverseChunk of
// them, backwards.
func (l *keyLister) reverseChunk(sel *Selector) error {
	var keys [][]byte
	p := compile(sel)
	err := l.s.walk(p, l.markers, func(u *keyUnit) error {
		ok, err := l.visible(p, u)
		if ok {
			keys = append(keys, u.key)
		}
		return err
	})
	for i := len(keys) - 1; i >= 0 && err == nil; i-- {
		err = l.list(keys[i])
	}
	return err
}

// errFound stops the decoding of a key at its first visible row.
var errFound = errors.New("found")

// visible reports whether u has a row in [tlo, thi] that neither a newer
// row nor a delete marker hides. It decides from the index when it can,
// and otherwise merges the key until its first row.
func (m *merger) visible(u *keyUnit, tlo, thi uint64) (bool, error) {
	switch indexVisibility(u, tlo, thi) {
	case surelyVisible:
		return true, nil
	case surelyHidden:
		return false, nil
	}
	err := m.mergeKey(u, tlo, thi, func(*format.Block, int, int) error { return errFound })
	if err == errFound {
		return true, nil
	}
	return false, err
}

// visibility is what the index tells of a key or a block.
type visibility int8

const (
	unknownVisibility visibility = iota // only decoding tells
	surelyVisible
	surelyHidden
)

// indexVisibility tells from the index alone, when it can, whether u has
// a visible row in [tlo, thi].
func indexVisibility(u *keyUnit, tlo, thi uint64) visibility {
	v := surelyHidden
	for i := range u.refs {
		switch viewRef(&u.refs[i], u.markers, tlo, thi).visibility() {
		case surelyVisible:
			return surelyVisible
		case unknownVisibility:
			v = unknownVisibility
		}
	}
	return v
}

// refView is what the index tells of one block within [tlo, thi].
type refView struct {
	ref     *blockRef
	lo, hi  uint64 // the block's time range cut to [tlo, thi]
	hidden  bool   // a newer marker hides all its rows in [lo, hi]
	touched bool   // newer markers may hide some of them
}

func viewRef(r *blockRef, markers []*marker, tlo, thi uint64) refView {
	e := &r.entry
	v := refView{ref: r, lo: max(e.MinTS, tlo), hi: min(e.MaxTS, thi)}
	if v.lo > v.hi {
		v.hidden = true
		return v
	}
	for _, mk := range markers {
		if mk.rank <= r.file.rank || !overlaps(mk.tlo, mk.thi, v.lo, v.hi) {
			continue
		}
		if mk.tlo <= v.lo && v.hi <= mk.thi {
			v.hidden = true
			return v
		}
		v.touched = true
	}
	return v
}

// visibility settles the block when no marker touches it and its first or
// last row, the only times the index knows, lies within the bounds. A row
// that a newer file overwrites counts as visible: the key still has it.
func (v refView) visibility() visibility {
	e := &v.ref.entry
	switch {
	case v.hidden:
		return surelyHidden
	case !v.touched && (v.lo == e.MinTS || v.hi == e.MaxTS):
		return surelyVisible
	}
	return unknownVisibility
}
