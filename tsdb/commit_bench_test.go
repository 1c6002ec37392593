package tsdb

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format"
)

// benchBlocks is rows rows of the reference data's u shape: 200 keys of
// rows/200 samples a second apart.
func benchBlocks(rows int) []*format.Block {
	keys := min(rows, 200)
	var blocks []*format.Block
	for k := range keys {
		b := new(format.Block)
		b.Reset([]byte(fmt.Sprintf("sensor.%05d", k)), "u")
		v := uint64(50000 + k)
		for i := range rows / keys {
			b.Times = append(b.Times, 1577836800000000000+uint64(i)*1e9)
			v += uint64(i % 5)
			b.Cols[0].Nums = append(b.Cols[0].Nums, v)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// BenchmarkTx_Commit times the transaction of one small add, its rows
// already parsed: Begin (free-space check, temporary file and its lock),
// Write (encoding into the buffered file), Commit (footer, fsync of the
// file, commit lock, directory listing, main's included list, link,
// fsync of the directory, clean-up), each reported apart as ns/op of its
// own. The database is recreated every ten transactions, as in the
// ten time-sliced adds of the reference figures.
func BenchmarkTx_Commit(b *testing.B) {
	for _, rows := range []int{1, 200000} {
		for _, sync := range []bool{true, false} {
			b.Run(fmt.Sprintf("rows=%d/sync=%v", rows, sync), func(b *testing.B) {
				benchCommit(b, rows, sync)
			})
		}
	}
}

func benchCommit(b *testing.B, rows int, sync bool) {
	blocks := benchBlocks(rows)
	var db *DB
	var begin, write, commit time.Duration
	n := 0
	for b.Loop() {
		if n%10 == 0 {
			b.StopTimer()
			db = benchDB(b, sync)
			b.StartTimer()
		}
		n++
		t0 := time.Now()
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		for _, blk := range blocks {
			if err := tx.Write(blk); err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		if _, err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		begin, write, commit = begin+t1.Sub(t0), write+t2.Sub(t1), commit+t3.Sub(t2)
	}
	for name, d := range map[string]time.Duration{"begin": begin, "write": write, "commit": commit} {
		b.ReportMetric(float64(d.Nanoseconds())/float64(n), name+"-ns/op")
	}
}

// benchDB is a fresh empty database in a new directory.
func benchDB(b *testing.B, sync bool) *DB {
	dir := filepath.Join(b.TempDir(), "db")
	if err := Init(dir); err != nil {
		b.Fatal(err)
	}
	db, err := Open(dir, &Options{NoSync: !sync})
	if err != nil {
		b.Fatal(err)
	}
	return db
}
