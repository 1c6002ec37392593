package tsdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chime-tsdb/chime/format/segment"
)

// TestRows_Interleaved: two iterators over one snapshot, pulled in turn,
// each yield what Scan passes, and stopping one early leaves the other
// undisturbed. (TestSnapshot_Model checks Scan, which Rows drives, against
// the model.)
func TestRows_Interleaved(t *testing.T) {
	db := newDB(t)
	for i := range 5 {
		var rows []row
		for k := range 30 {
			rows = append(rows, row{fmt.Sprintf("k%02d", k), uint64(i*3 + k%2), uint64(i)})
		}
		commitRows(t, db, rows...)
	}
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	want := dump(t, db, nil)
	a, b, c := snap.Rows(nil), snap.Rows(nil), snap.Rows(&Selector{Filters: [][]byte{[]byte("k0%")}})
	var gotA, gotB []byte
	for moreA, moreB := true, true; moreA || moreB; {
		if moreA = a.Next(); moreA {
			blk, from, to := a.Block()
			gotA = appendU(gotA, blk, from, to)
		}
		if moreB = b.Next(); moreB {
			blk, from, to := b.Block()
			gotB = appendU(gotB, blk, from, to)
		}
		c.Next() // abandoned after a few runs
	}
	if err := errors.Join(a.Err(), b.Err(), c.Err()); err != nil {
		t.Fatal(err)
	}
	if string(gotA) != want || string(gotB) != want {
		t.Fatalf("interleaved iterators read\n%s\nand\n%s\nwant\n%s", gotA, gotB, want)
	}
}

// TestRows_Err: a damaged block ends the iteration with an error naming
// the file, after the rows before it.
func TestRows_Err(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"a", 1, 1})
	name := commitRows(t, db, row{"b", 1, 1})
	path := filepath.Join(db.Dir(), name)
	data, err := os.ReadFile(path)
	must(t, err)
	data[20] ^= 0xff // inside the first block
	must(t, os.WriteFile(path, data, 0o644))
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	rows := snap.Rows(nil)
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); !errors.Is(err, segment.ErrCorrupt) || n != 1 {
		t.Fatalf("after %d runs: %v, want one run then ErrCorrupt naming %s", n, err, name)
	}
}

func ExampleSnapshot_Rows() {
	dir, _ := os.MkdirTemp("", "chime-example")
	defer os.RemoveAll(dir)
	Init(dir)
	db, _ := Open(dir, nil)
	tx, _ := db.Begin()
	for _, r := range []row{{"a", 1, 10}, {"a", 2, 20}, {"b", 1, 30}} {
		tx.Write(uBlock(r))
	}
	tx.Commit()
	snap, _ := db.Snapshot()
	defer snap.Close()
	rows := snap.Rows(&Selector{Filters: [][]byte{[]byte("a")}})
	for rows.Next() {
		b, from, to := rows.Block()
		for i := from; i < to; i++ {
			fmt.Println(string(b.Key), b.Times[i], b.Cols[0].Nums[i])
		}
	}
	if err := rows.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// a 1 10
	// a 2 20
}
