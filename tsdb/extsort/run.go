package extsort

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// rec is one row of a run held in memory: its time, its key (an index
// into run.keys), its format (an index into run.stores) and its row in
// that store. Its index in run.recs is its input order.
type rec struct {
	ts  uint64
	key uint32
	row uint32
	fmt uint16
}

// recBytes is what a row costs besides its values: its rec and the
// scratch rec of the counting sort.
const recBytes = 2 * 24

// run is the rows of one run, in input order until sorted.
type run struct {
	keys    [][]byte
	keyIDs  map[string]uint32
	stores  []*format.Block // the values of each format, in input order
	fmtIDs  map[format.Format]uint16
	recs    []rec
	scratch []rec    // the counting sort's output, kept from run to run
	pos     []uint64 // input positions of the recs, when tracked
	posTmp  []uint64
	bytes   int64  // estimated memory held
	lastKey uint32 // the key of the last row added, to skip the map
}

// newRun returns an empty run with room for about the rows a budget of
// memory bytes holds: growing its slices by doubling would copy them
// over and over (the pages are only touched when written).
func newRun(memory int64) *run {
	return &run{
		keyIDs: map[string]uint32{},
		fmtIDs: map[format.Format]uint16{},
		recs:   make([]rec, 0, memory/(recBytes+16)),
	}
}

// reset empties the run for the next, keeping its memory: after the
// first spill, filling a run allocates nothing.
func (r *run) reset() {
	clear(r.keyIDs)
	r.keys = r.keys[:0]
	for _, st := range r.stores {
		st.Truncate(0)
	}
	r.recs, r.pos, r.bytes, r.lastKey = r.recs[:0], r.pos[:0], 0, 0
}

// add copies rows [from, to) of b; pos, when not nil, holds their input
// positions.
func (r *run) add(b *format.Block, from, to int, pos []uint64) {
	key := r.keyID(b.Key)
	fi, ok := r.fmtIDs[b.Format]
	if !ok {
		fi = uint16(len(r.stores))
		r.fmtIDs[b.Format] = fi
		st := &format.Block{}
		st.Reset(nil, b.Format)
		r.stores = append(r.stores, st)
	}
	st := r.stores[fi]
	row := uint32(st.Len())
	varBefore := st.VarBytes()
	if fi == 0 && cap(st.Times) == 0 {
		// The first format: room for what the budget allows (most input
		// has one format; others grow as they come).
		n := cap(r.recs) / 4
		st.Times = make([]uint64, 0, n)
		for c := range st.Cols {
			if !st.Format.Code(c).Variable() {
				st.Cols[c].Nums = make([]uint64, 0, n)
			}
		}
	}
	st.AppendRows(b, from, to)
	for i := from; i < to; i++ {
		r.recs = append(r.recs, rec{ts: b.Times[i], key: key, row: row, fmt: fi})
		row++
	}
	if pos != nil {
		r.pos = append(r.pos, pos[from:to]...)
	}
	n := int64(to - from)
	r.bytes += n*(recBytes+8+8*int64(len(b.Cols))) + int64(st.VarBytes()-varBefore)
	if pos != nil {
		r.bytes += 8 * n
	}
}

// keyID interns key.
func (r *run) keyID(key []byte) uint32 {
	if n := len(r.keys); n > 0 && bytes.Equal(r.keys[r.lastKey], key) {
		return r.lastKey
	}
	id, ok := r.keyIDs[string(key)]
	if !ok {
		id = uint32(len(r.keys))
		k := string(key)
		r.keyIDs[k] = id
		r.keys = append(r.keys, []byte(k))
		r.bytes += int64(len(key)) + 64
	}
	r.lastKey = id
	return id
}

// maxRunFormats bounds the formats of one run: recs index stores with 16
// bits.
const maxRunFormats = 1 << 16

// full reports whether the run holds as many formats as it can.
func (r *run) full() bool { return len(r.stores) >= maxRunFormats-1 }

// group is the recs of one key in a sorted run: recs[from:to].
type group struct {
	key      uint32
	from, to int
}

// sort orders the recs by key then time, equal times in input order, and
// returns the runs of each key in key order.
func (r *run) sort() []group {
	rank := make([]uint32, len(r.keys)) // key id -> rank in byte order
	order := make([]uint32, len(r.keys))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return bytes.Compare(r.keys[a], r.keys[b]) })
	for rk, id := range order {
		rank[id] = uint32(rk)
	}
	// Counting sort by rank: stable, so input order holds within a key.
	start := make([]int, len(r.keys)+1)
	for _, x := range r.recs {
		start[rank[x.key]+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	groups := make([]group, len(r.keys))
	for rk, id := range order {
		groups[rk] = group{key: id, from: start[rk], to: start[rk+1]}
	}
	sorted := slices.Grow(r.scratch[:0], len(r.recs))[:len(r.recs)]
	var pos []uint64
	if r.pos != nil {
		pos = slices.Grow(r.posTmp[:0], len(r.pos))[:len(r.pos)]
	}
	next := start[:len(r.keys)]
	for i, x := range r.recs {
		k := rank[x.key]
		sorted[next[k]] = x
		if pos != nil {
			pos[next[k]] = r.pos[i]
		}
		next[k]++
	}
	r.recs, r.scratch = sorted, r.recs
	if r.pos != nil {
		r.pos, r.posTmp = pos, r.pos
	}
	for _, g := range groups {
		r.sortTimes(g)
	}
	return groups
}

// sortTimes orders one key's recs by time, keeping input order among
// equal times: data that is a log ordered by time needs nothing here.
func (r *run) sortTimes(g group) {
	recs := r.recs[g.from:g.to]
	if slices.IsSortedFunc(recs, func(a, b rec) int { return cmp.Compare(a.ts, b.ts) }) {
		return
	}
	if r.pos == nil {
		slices.SortStableFunc(recs, func(a, b rec) int { return cmp.Compare(a.ts, b.ts) })
		return
	}
	// Sort the positions along: sort indexes, then permute both.
	idx := make([]int, len(recs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(recs[a].ts, recs[b].ts) })
	rs, ps := slices.Clone(recs), slices.Clone(r.pos[g.from:g.to])
	for i, j := range idx {
		recs[i], r.pos[g.from+i] = rs[j], ps[j]
	}
}
