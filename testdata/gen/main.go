// Command gen makes the shared test fixtures of testdata/, so that none is
// made by hand:
//
//	go run ./testdata/gen            # rewrites testdata/v1db and format/segment/testdata/damaged
//
// v1db is a database as chime wrote them before its storage seam: version
// 1 segments, transaction names from the clock, a main whose included
// list names files without IDs, a minor-compaction output renamed over
// the newest transaction it merged, a delete marker. damaged holds one
// small segment and copies of it damaged in the ways the readers must
// refuse, each named after its damage. The fixtures are deterministic:
// running gen again rewrites the same bytes.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"log"
	"os"
	"path/filepath"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

func main() {
	log.SetFlags(0)
	root := "." // the repository; the tests pass another to compare
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := v1db(filepath.Join(root, V1DB)); err != nil {
		log.Fatal(err)
	}
	if err := damaged(filepath.Join(root, Damaged)); err != nil {
		log.Fatal(err)
	}
}

// Where the fixtures live, relative to the repository: the damaged
// segments beside format/segment, whose tests embed them (format reads
// no files).
const (
	V1DB    = "testdata/v1db"
	Damaged = "format/segment/testdata/damaged"
)

// Legacy transaction names: nanoseconds of the clock when they were made.
const (
	txA = "tx.18f0a1b2c3d40001" // merged into main
	txB = "tx.18f0a1b2c3d40002" // merged by the minor output
	txC = "tx.18f0a1b2c3d40003" // the minor output, renamed over txC
	txD = "tx.18f0a1b2c3d40004" // a delete marker
	txE = "tx.18f0a1b2c3d40005" // a plain transaction
)

func v1db(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name string
		o    segment.Options
		rows []row
	}{
		{"main", segment.Options{Version: 1, Included: []segment.Included{{Name: txA}}},
			[]row{{"alpha", 1, 1}, {"alpha", 2, 2}, {"beta", 1, 10}, {"gamma", 5, 50}}},
		{txC, segment.Options{Version: 1, Included: []segment.Included{{Name: txB}}},
			[]row{{"alpha", 2, 20}, {"beta", 2, 21}, {"delta", 1, 30}}},
		{txD, segment.Options{Version: 1, Kind: segment.KindMarkers, Markers: []format.Marker{
			{Filter: []byte("gamma"), HasFilter: true}}}, nil},
		{txE, segment.Options{Version: 1}, []row{{"beta", 3, 31}, {"epsilon", 1, 40}}},
	}
	for _, f := range files {
		data, err := segmentBytes(f.o, f.rows)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// row is a one-column u row.
type row struct {
	key   string
	ts, u uint64
}

func segmentBytes(o segment.Options, rows []row) ([]byte, error) {
	if o.Version != 1 && o.ID.IsZero() {
		o.ID = segment.ID{0xc4, 0x1e} // deterministic
	}
	var buf bytes.Buffer
	w := segment.NewWriter(&buf, o)
	for _, r := range rows {
		b := &format.Block{}
		b.Reset([]byte(r.key), "u")
		b.Times, b.Cols[0].Nums = []uint64{r.ts}, []uint64{r.u}
		if err := w.WriteBlock(b); err != nil {
			return nil, err
		}
	}
	err := w.Close()
	return buf.Bytes(), err
}

func damaged(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	good, err := segmentBytes(segment.Options{}, []row{{"a", 1, 1}, {"b", 2, 2}, {"c", 3, 3}})
	if err != nil {
		return err
	}
	n := len(good)
	flip := func(i int) []byte { d := bytes.Clone(good); d[i] ^= 0x40; return d }
	// A file of a newer version: its footer says so, with a right CRC.
	newer := bytes.Clone(good)
	footer := newer[n-64:]
	binary.LittleEndian.PutUint16(footer[50:], segment.Version+1)
	binary.LittleEndian.PutUint32(footer[60:], crc32.Checksum(footer[:60], crc32.MakeTable(crc32.Castagnoli)))
	cases := map[string][]byte{
		"good.seg":             good,
		"block-byte.seg":       flip(20),
		"header-magic.seg":     flip(0),
		"footer-crc.seg":       flip(n - 1),
		"truncated.seg":        good[:n-10],
		"garbage-appended.seg": append(bytes.Clone(good), "garbage"...),
		"footer-version.seg":   newer,
		"too-short.seg":        good[:40],
	}
	for name, data := range cases {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
