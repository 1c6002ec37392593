package extsort

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/chime-tsdb/chime/format"
)

// trow is a test row: its values rendered as text, so that rows of any
// format compare simply.
type trow struct {
	key  string
	ts   uint64
	f    format.Format
	vals string
	pos  uint64
}

func (r trow) block() *format.Block {
	b := &format.Block{}
	b.Reset([]byte(r.key), r.f)
	b.Times = append(b.Times, r.ts)
	for c := range r.f.Len() {
		if r.f.Code(c).Variable() {
			b.AppendBytes(c, []byte(r.vals))
		} else {
			b.Cols[c].Nums = append(b.Cols[c].Nums, r.pos)
		}
	}
	return b
}

// flatten reads the rows of an emitted block.
func flatten(b *format.Block) []trow {
	var out []trow
	for i := range b.Len() {
		r := trow{key: string(b.Key), ts: b.Times[i], f: b.Format}
		for c := range b.Format.Len() {
			if b.Format.Code(c).Variable() {
				r.vals = string(b.Bytes(c, i))
			} else {
				r.pos = b.Cols[c].Nums[i]
			}
		}
		out = append(out, r)
	}
	return out
}

// randomRows draws rows over few keys and times, so that repeats are
// common; some formats hold strings.
func randomRows(r *rand.Rand, n int) []trow {
	formats := []format.Format{"u", "uF", "s", "us"}
	rows := make([]trow, n)
	for i := range rows {
		rows[i] = trow{
			key:  fmt.Sprintf("k%03d", r.IntN(50)),
			ts:   uint64(r.IntN(300)),
			f:    formats[r.IntN(len(formats))],
			vals: fmt.Sprintf("v%d", i),
			pos:  uint64(i + 1),
		}
	}
	return rows
}

// model sorts rows by key and time, the later of two equal rows winning.
func model(rows []trow) []trow {
	s := slices.Clone(rows)
	slices.SortStableFunc(s, func(a, b trow) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.ts, b.ts))
	})
	var out []trow
	for i, r := range s {
		if i+1 < len(s) && s[i+1].key == r.key && s[i+1].ts == r.ts {
			continue
		}
		out = append(out, r)
	}
	return out
}

// checkRows fails t unless got is want: the same keys, times and formats,
// and the same row (its value, or its position) for each.
func checkRows(t *testing.T, got, want []trow, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s%d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.key != w.key || g.ts != w.ts || g.f != w.f || g.vals != w.vals && g.f.Code(0).Variable() || g.pos != w.pos && !g.f.Code(0).Variable() {
			t.Fatalf("%srow %d = %+v, want %+v", what, i, g, w)
		}
	}
}

func sortAll(t *testing.T, rows []trow, o Options) ([]trow, int, error) {
	t.Helper()
	return sortBlocks(t, rows, o, 1)
}

// sortBlocks sorts rows added in blocks of up to most rows: a block takes
// the following rows while they have its key and format.
func sortBlocks(t *testing.T, rows []trow, o Options, most int) ([]trow, int, error) {
	t.Helper()
	return sortFanIn(t, rows, o, most, maxFanIn)
}

// sortFanIn is sortBlocks merging at most fanIn runs at once.
func sortFanIn(t *testing.T, rows []trow, o Options, most, fanIn int) ([]trow, int, error) {
	t.Helper()
	s := New(o)
	s.fanIn = fanIn
	if o.Memory > 0 && o.Memory < minMemory {
		// Below what New allows: runs of a few rows, for the fuzz target.
		s.o.Memory, s.cur = o.Memory, newRun(o.Memory/2)
	}
	defer s.Close()
	for i := 0; i < len(rows); {
		b, pos := rows[i].block(), []uint64{rows[i].pos}
		for i++; i < len(rows) && b.Len() < most && rows[i].key == string(b.Key) && rows[i].f == b.Format; i++ {
			b.AppendRows(rows[i].block(), 0, 1)
			pos = append(pos, rows[i].pos)
		}
		if err := s.Add(b, pos); err != nil {
			t.Fatal(err)
		}
		if len(s.spills) > 8*(fanIn-1)+1 { // fewer than fanIn a level (see cascade), and 8 levels is plenty here
			t.Fatalf("%d spill files open at once, fan-in %d", len(s.spills), fanIn)
		}
	}
	var got []trow
	var check format.OrderCheck
	err := s.Sort(func(b *format.Block) error {
		if err := check.Check(b); err != nil {
			t.Fatalf("emitted out of order: %v", err)
		}
		got = append(got, flatten(b)...)
		return nil
	})
	if len(s.spills) >= fanIn {
		t.Errorf("merged %d spill files and the run in memory at once, more than %d", len(s.spills), fanIn)
	}
	return got, len(s.spills), err
}

// TestSorter_Model sorts random rows with budgets small enough to spill
// many runs and large enough for none, the later repeat winning.
func TestSorter_Model(t *testing.T) {
	for _, mem := range []int64{0, 64 << 10, 256 << 10} {
		for seed := range uint64(4) {
			t.Run(fmt.Sprintf("mem=%d/seed=%d", mem, seed), func(t *testing.T) {
				rows := randomRows(rand.New(rand.NewPCG(seed, 7)), 20000)
				got, spills, err := sortAll(t, rows, Options{Memory: mem, Dir: t.TempDir()})
				if err != nil {
					t.Fatal(err)
				}
				if mem != 0 && spills == 0 {
					t.Errorf("budget %d: no run spilled", mem)
				}
				checkRows(t, got, model(rows), "")
			})
		}
	}
}

// TestSorter_Blocks sorts rows added in blocks of several rows, as the
// parsers gather them: a key's rows in a few long stretches, in time order
// or not, with repeats within a block and across blocks and formats.
func TestSorter_Blocks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	var rows []trow
	for len(rows) < 30000 {
		key, f := fmt.Sprintf("k%02d", r.IntN(20)), []format.Format{"u", "u", "uF", "s"}[r.IntN(4)]
		ts, back := uint64(r.IntN(2000)), r.IntN(3) == 0
		for range 1 + r.IntN(60) {
			rows = append(rows, trow{key: key, ts: ts, f: f, vals: fmt.Sprintf("v%d", len(rows)), pos: uint64(len(rows) + 1)})
			switch {
			case r.IntN(10) == 0: // a repeat of the time
			case back:
				ts -= min(ts, uint64(r.IntN(5)))
			default:
				ts += uint64(r.IntN(5))
			}
		}
	}
	want := model(rows)
	for _, mem := range []int64{0, 64 << 10} {
		for _, most := range []int{7, 1000} {
			got, spills, err := sortBlocks(t, rows, Options{Memory: mem, Dir: t.TempDir()}, most)
			if err != nil {
				t.Fatal(err)
			}
			if mem != 0 && spills == 0 {
				t.Errorf("budget %d: no run spilled", mem)
			}
			checkRows(t, got, want, fmt.Sprintf("mem %d, blocks of %d: ", mem, most))
		}
	}
}

// TestSorter_FanIn sorts rows spilled to many more files than are merged
// at once, so that they are first merged in groups, once or over several
// passes, keeping the later of two equal rows, and with RejectDuplicates
// naming the least repeat through the merged files' positions.
func TestSorter_FanIn(t *testing.T) {
	rows := randomRows(rand.New(rand.NewPCG(5, 1)), 6000)
	want := model(rows)
	for _, fanIn := range []int{2, 3, 8, 40} {
		got, spills, err := sortFanIn(t, rows, Options{Memory: 4 << 10, Dir: t.TempDir()}, 1, fanIn)
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, got, want, fmt.Sprintf("fan-in %d (%d files at the end): ", fanIn, spills))
	}
	var dups []trow
	for i := range 3000 {
		dups = append(dups, trow{key: fmt.Sprintf("k%d", i%5), ts: uint64(i), f: "u", pos: uint64(i + 1)})
	}
	dups = append(dups, trow{key: "k2", ts: 7, f: "u", pos: 5000}) // repeats row 8
	dups = append(dups, trow{key: "k4", ts: 4, f: "u", pos: 4000}) // repeats row 5
	for _, fanIn := range []int{2, 3} {
		_, _, err := sortFanIn(t, dups, Options{Memory: 4 << 10, Dir: t.TempDir(), RejectDuplicates: true}, 1, fanIn)
		var de *DuplicateError
		if !errors.As(err, &de) || de.Second != 4000 || de.First != 5 || string(de.Key) != "k4" {
			t.Errorf("fan-in %d: %v, want k4 at 4: 4000 repeats 5", fanIn, err)
		}
	}
}

// TestSorter_TimeOrdered sorts a log ordered by time across keys, the
// shape add --unsorted is for.
func TestSorter_TimeOrdered(t *testing.T) {
	var rows []trow
	for ts := range 2000 {
		for k := range 30 {
			rows = append(rows, trow{key: fmt.Sprintf("sensor.%02d", 29-k), ts: uint64(ts), f: "u", pos: uint64(len(rows) + 1)})
		}
	}
	got, spills, err := sortAll(t, rows, Options{Memory: 64 << 10, Dir: t.TempDir()})
	if err != nil || spills < 2 {
		t.Fatalf("err %v, %d spills", err, spills)
	}
	want := model(rows)
	if len(got) != len(want) || got[0].key != "sensor.00" || got[len(got)-1].ts != 1999 {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
}

// TestSorter_RejectDuplicates reports the repeat whose second row comes
// first in the input, within a run or across spilled runs.
func TestSorter_RejectDuplicates(t *testing.T) {
	for _, mem := range []int64{0, 64 << 10} {
		rows := []trow{}
		for i := range 5000 {
			rows = append(rows, trow{key: fmt.Sprintf("k%d", i%7), ts: uint64(i), f: "u", pos: uint64(i + 1)})
		}
		rows = append(rows, trow{key: "k3", ts: 10, f: "u", pos: 9000}) // repeats row 11
		rows = append(rows, trow{key: "k1", ts: 1, f: "u", pos: 8000})  // repeats row 2, seen later in key order? no: k1 < k3
		_, _, err := sortAll(t, rows, Options{Memory: mem, Dir: t.TempDir(), RejectDuplicates: true})
		var de *DuplicateError
		if !errors.As(err, &de) || de.Second != 8000 || de.First != 2 || !bytes.Equal(de.Key, []byte("k1")) {
			t.Errorf("mem %d: %v, want k1 at 1: 8000 repeats 2", mem, err)
		}
	}
}

// TestSorter_Empty sorts nothing.
func TestSorter_Empty(t *testing.T) {
	got, _, err := sortAll(t, nil, Options{})
	if err != nil || len(got) != 0 {
		t.Fatalf("%v, %v", got, err)
	}
}

// TestSorter_LongKey sorts one key of more rows than a piece holds, in
// time order and then with one row out of order, so that its pieces, and
// the spans its sort joins, are split.
func TestSorter_LongKey(t *testing.T) {
	if unsafe.Sizeof(piece{}) != rowBytes {
		t.Fatalf("a piece takes %d bytes, a row's share of the budget %d", unsafe.Sizeof(piece{}), rowBytes)
	}
	const n = 3*maxPiece + 10
	for _, late := range []bool{false, true} {
		b := &format.Block{}
		b.Reset([]byte("k"), "u")
		for i := range n {
			b.Times = append(b.Times, uint64(i+1))
			b.Cols[0].Nums = append(b.Cols[0].Nums, uint64(i))
		}
		if late {
			b.Times[n-1] = 0 // the last row comes first in time
		}
		s := New(Options{Memory: 1 << 30})
		if err := s.Add(b, nil); err != nil {
			t.Fatal(err)
		}
		var times []uint64
		err := s.Sort(func(out *format.Block) error { times = append(times, out.Times...); return nil })
		s.Close()
		if err != nil || len(times) != n || !slices.IsSorted(times) || times[0] != b.Times[0] && !late {
			t.Fatalf("late %v: %v, %d rows, sorted %v", late, err, len(times), slices.IsSorted(times))
		}
		if late && (times[0] != 0 || times[n-1] != n-1) {
			t.Fatalf("late: first %d, last %d", times[0], times[n-1])
		}
	}
}

// FuzzSorter sorts rows drawn from the input, added in blocks of a key's
// consecutive rows, against the model, with a budget of a hundred rows or
// so a run and at most 4 runs merged at once, so that most inputs spill
// and many merge their spill files in groups first. Each 4 input bytes are a stretch of rows of one
// key and format, rising or falling in time.
func FuzzSorter(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 1, 2, 3, 4})
	f.Add([]byte{0, 9, 0, 200, 0, 9, 1, 200, 3, 1, 2, 255})
	dir := f.TempDir() // spill files are unlinked at once: one directory serves all
	f.Fuzz(func(t *testing.T, in []byte) {
		in = in[:min(len(in), 4*64)] // at most 64 stretches: spills stay few and cheap
		var rows []trow
		for ; len(in) >= 4; in = in[4:] {
			key := fmt.Sprintf("k%d", in[0]%6)
			f := []format.Format{"u", "uF", "s"}[in[2]%3]
			ts, n, down := uint64(in[1]%32)*1000, 1+int(in[3]%64), in[3]&1 == 1
			for i := range n {
				t := ts + uint64(i%40)
				if down {
					t = ts + uint64(40-i%40)
				}
				rows = append(rows, trow{key: key, ts: t, f: f, vals: fmt.Sprint(len(rows)), pos: uint64(len(rows) + 1)})
			}
		}
		got, _, err := sortFanIn(t, rows, Options{Memory: 8 << 10, Dir: dir}, 30, 4)
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, got, model(rows), "")
	})
}
