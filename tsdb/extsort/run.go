package extsort

import (
	"bytes"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// A piece is n rows of one store from row from on, all of one key, in
// input order. Input gathered by key (the parser gathers each chunk's
// rows by key) adds a piece per block, so a run keeps its rows where they
// were copied and sorts keys, not rows. A piece is as small as a row's
// share of the budget, so that sorting a key's rows by time can build its
// pieces in place of their one-row pieces (see memSource.load).
type piece struct {
	from  uint32
	store uint16
	n     uint16
}

// end is the row after the piece.
func (p piece) end() uint32 { return p.from + uint32(p.n) }

// maxPiece is the most rows of a piece.
const maxPiece = 1<<16 - 1

// rowBytes is what a row costs besides its values: its one-row piece
// when its key's rows are out of time order and sorted (see
// memSource.load).
const rowBytes = 8

// pieceBytes is what a piece costs, its slice's slack included.
const pieceBytes = 2 * 8

// run is the rows of one run, in input order until sorted.
type run struct {
	keys    [][]byte
	keyIDs  map[string]uint32
	pieces  [][]piece       // each key's rows, in input order
	stores  []*format.Block // the values of each format, in input order
	fmtIDs  map[format.Format]uint16
	pos     [][]uint64 // input positions of each store's rows, when tracked
	bytes   int64      // estimated memory held
	lastKey uint32     // the key of the last row added, to skip the map
	budget  int64      // the memory the run is meant to fill
}

// newRun returns an empty run meant to hold about memory bytes.
func newRun(memory int64) *run {
	return &run{keyIDs: map[string]uint32{}, fmtIDs: map[format.Format]uint16{}, budget: memory}
}

// reset empties the run for the next, keeping its memory: after the
// first spill, filling a run allocates little.
func (r *run) reset() {
	clear(r.keyIDs)
	r.keys = r.keys[:0]
	r.pieces = r.pieces[:0]
	for i, st := range r.stores {
		st.Truncate(0)
		if r.pos != nil {
			r.pos[i] = r.pos[i][:0]
		}
	}
	r.bytes, r.lastKey = 0, 0
}

// add copies rows [from, to) of b; pos, when not nil, holds their input
// positions.
func (r *run) add(b *format.Block, from, to int, pos []uint64) {
	key := r.keyID(b.Key)
	fi := r.store(b.Format, pos != nil)
	st := r.stores[fi]
	row := uint32(st.Len())
	varBefore := st.VarBytes()
	st.AppendRows(b, from, to)
	n := uint32(to - from)
	ps := r.pieces[key]
	if last := len(ps) - 1; last >= 0 && ps[last].store == fi && ps[last].end() == row && uint32(ps[last].n)+n <= maxPiece {
		ps[last].n += uint16(n)
	} else {
		r.pieces[key] = append(ps, piece{from: row, store: fi, n: uint16(n)})
		r.bytes += pieceBytes
	}
	if pos != nil {
		r.pos[fi] = append(r.pos[fi], pos[from:to]...)
		r.bytes += 8 * int64(n)
	}
	r.bytes += int64(n)*(rowBytes+8+8*int64(len(b.Cols))) + int64(st.VarBytes()-varBefore)
}

// store returns the index of the store of format f, adding one.
func (r *run) store(f format.Format, withPos bool) uint16 {
	if fi, ok := r.fmtIDs[f]; ok {
		return fi
	}
	fi := uint16(len(r.stores))
	r.fmtIDs[f] = fi
	st := &format.Block{}
	st.Reset(nil, f)
	if fi == 0 {
		// The first format: room for what the budget allows (most input
		// has one format; others grow as they come). The pages are only
		// touched when written; growing by doubling would copy them over
		// and over.
		n := r.budget / (rowBytes + 8 + 8*int64(f.Len()))
		st.Times = make([]uint64, 0, n)
		for c := range st.Cols {
			if !f.Code(c).Variable() {
				st.Cols[c].Nums = make([]uint64, 0, n)
			}
		}
	}
	r.stores = append(r.stores, st)
	if withPos {
		r.pos = append(r.pos, nil)
	}
	return fi
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
		// Reuse the piece list of a key of an earlier run.
		if len(r.pieces) < cap(r.pieces) {
			r.pieces = r.pieces[:id+1]
			r.pieces[id] = r.pieces[id][:0]
		} else {
			r.pieces = append(r.pieces, nil)
		}
		r.bytes += int64(len(key)) + 64
	}
	r.lastKey = id
	return id
}

// maxRunFormats bounds the formats of one run: pieces index stores with
// 16 bits.
const maxRunFormats = 1 << 16

// full reports whether the run holds as many formats as it can.
func (r *run) full() bool { return len(r.stores) >= maxRunFormats-1 }

// sortedKey is a key of a run and its pieces.
type sortedKey struct {
	key    []byte
	pieces []piece
}

// sort returns the run's keys in key order. They are sorted with their
// pieces beside them, not as IDs: with many keys, looking each up in key
// order would miss the cache twice a key.
func (r *run) sort() []sortedKey {
	keys := make([]sortedKey, len(r.keys))
	for id, k := range r.keys {
		keys[id] = sortedKey{k, r.pieces[id]}
	}
	slices.SortFunc(keys, func(a, b sortedKey) int { return bytes.Compare(a.key, b.key) })
	return keys
}

// timeSorted reports whether the rows of ps come in time order (equal
// times allowed): input ordered by time needs no sorting.
func (r *run) timeSorted(ps []piece) bool {
	var last uint64
	for i, p := range ps {
		times := r.stores[p.store].Times[p.from:p.end()]
		if i > 0 && times[0] < last || !slices.IsSorted(times) {
			return false
		}
		last = times[len(times)-1]
	}
	return true
}
