package tsdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format/segment"
)

func TestCheck_Healthy(t *testing.T) {
	db, files, _ := sweepFixture(t)
	r, err := db.Check()
	must(t, err)
	if !r.Healthy() || len(r.Problems) != 0 {
		t.Fatalf("problems in a healthy database: %v", r.Problems)
	}
	var names []string
	for _, f := range r.Files {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, files) {
		t.Fatalf("checked %v, want %v", names, files)
	}
	if rows, blocks := r.Totals(); rows != 40+3+260+30+50+2 || blocks != 2+260+3 {
		t.Fatalf("totals %d rows %d blocks", rows, blocks)
	}
	if f := r.Files[2]; f.Kind != segment.KindMarkers || f.Markers != 2 {
		t.Fatalf("marker file: %+v", f)
	}
	if f := r.Files[1]; !f.KeysOK || string(f.FirstKey) != "alpha" || string(f.LastKey) != "k001" {
		t.Fatalf("key range %q..%q", f.FirstKey, f.LastKey)
	}
}

func TestCheck_EmptyDatabase(t *testing.T) {
	db := newDB(t)
	r, err := db.Check()
	must(t, err)
	if !r.Healthy() || len(r.Files) != 1 {
		t.Fatalf("empty database: %+v", r)
	}
}

// TestCheck_FindsEveryDamage runs Check over a sample of the damages of
// the corruption sweep: each must be reported against the damaged file,
// and nothing else.
func TestCheck_FindsEveryDamage(t *testing.T) {
	db, files, _ := sweepFixture(t)
	r := rand.New(rand.NewPCG(7, 7))
	cases := 0
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(db.Dir(), name))
		must(t, err)
		for i, d := range damages(data, r, true) {
			if i%3 != 0 || name == MainName && len(d.data) == 0 {
				continue
			}
			cases++
			m := memCopy(t, db)
			m.WriteFile(name, d.data)
			damaged := openMem(t, m, Options{})
			rep, err := checkGuarded(t, damaged)
			must(t, err)
			if len(rep.Problems) != 1 || rep.Problems[0].File != name || rep.Problems[0].Warning {
				t.Fatalf("%s %s: problems %v", name, d.what, rep.Problems)
			}
			if err := rep.Problems[0].Err; !errors.Is(err, segment.ErrCorrupt) && !errors.Is(err, segment.ErrVersion) {
				t.Fatalf("%s %s: %v is not ErrCorrupt", name, d.what, err)
			}
		}
	}
	t.Logf("%d damaged files found", cases)
}

// checkGuarded runs Check on db under the sweep's deadline.
func checkGuarded(t *testing.T, db *DB) (*CheckReport, error) {
	t.Helper()
	var rep *CheckReport
	_, err := guardedRead(t, func() (string, error) {
		var err error
		rep, err = db.Check()
		return "", err
	})
	return rep, err
}

// TestCheck_OrderAcrossPages: index pages each in order, CRCs all valid,
// but the second page starts with a key below the first page's last (a
// writer bug, or a forged file): reads and Check both refuse it. (Reads
// used to check the order within a page only, and merged such a file
// into out-of-order output.)
func TestCheck_OrderAcrossPages(t *testing.T) {
	db, _, _ := sweepFixture(t)
	path := filepath.Join(db.Dir(), MainName)
	data, err := os.ReadFile(path)
	must(t, err)
	// Page 2 starts with k254: make it k100, in the page and in the top
	// index, and fix their CRCs.
	replaceKey(t, data, "k254", "k100")
	must(t, os.WriteFile(path, data, 0o644))
	const want = `key "k100" out of order after the previous page's "k253"`
	for _, parallel := range []bool{false, true} {
		if _, err := readAll(db, parallel); !errors.Is(err, segment.ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Fatalf("read: %v, want %s", err, want)
		}
	}
	r, err := db.Check()
	must(t, err)
	if r.Healthy() || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Err.Error(), want) {
		t.Fatalf("problems %v", r.Problems)
	}
}

// replaceKey replaces the full key old by new (same length) in the second
// index page and the top index of a segment, recomputing their CRCs.
func replaceKey(t *testing.T, data []byte, old, new string) {
	t.Helper()
	le := binary.LittleEndian
	foot := data[len(data)-64:]
	topOff, topLen := le.Uint64(foot[0:]), le.Uint64(foot[8:])
	top := data[topOff : topOff+topLen]
	d := top
	next := func() uint64 {
		v, n := binary.Uvarint(d)
		d = d[n:]
		return v
	}
	if next() != 2 {
		t.Fatal("want two index pages")
	}
	var pageOff, pageLen uint64
	for range 2 {
		k := next()
		d = d[k:]
		pageOff, pageLen = next(), next()
		next()
	}
	page := data[pageOff : pageOff+pageLen]
	for _, sect := range [][]byte{page, top} {
		i := bytes.Index(sect, []byte(old))
		if i < 0 {
			t.Fatalf("key %s not found", old)
		}
		copy(sect[i:], new)
		body := sect[:len(sect)-4]
		le.PutUint32(sect[len(body):], crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	}
}

func TestCheck_Warnings(t *testing.T) {
	db := newDB(t)
	tx1 := commitRows(t, db, row{"a", 1, 10})
	writeFile(t, db, MainName, segmentBytes(t, segment.Options{Included: included(t, db, tx1)}, row{"a", 1, 0}))
	writeFile(t, db, "tx-123.tmp", []byte("half"))
	old := time.Now().Add(-time.Hour)
	must(t, os.Chtimes(filepath.Join(db.Dir(), "tx-123.tmp"), old, old))
	writeFile(t, db, "tx.0000000000000001.damaged", nil)
	writeFile(t, db, "notes.txt", []byte("ignored"))

	r, err := db.Check()
	must(t, err)
	if !r.Healthy() {
		t.Fatalf("warnings made the database unhealthy: %v", r.Problems)
	}
	var got []string
	for _, p := range r.Problems {
		got = append(got, p.File)
	}
	if want := []string{tx1, "tx-123.tmp", "tx.0000000000000001.damaged"}; !slices.Equal(got, want) {
		t.Fatalf("warnings about %v, want %v", got, want)
	}
}

func TestCheck_IncludedList(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		included []string
		want     string
	}{
		{"not a transaction name", MainName, []string{"../etc/passwd"}, `names "../etc/passwd", not a transaction file`},
		{"after its includer", "tx.0000000000000005", []string{"tx.0000000000000009"}, "committed after this file"},
		{"after its output", "tx.0000000000000005.0000000000000001", []string{"tx.0000000000000006"}, "committed after this file"},
		{"a later output", "tx.0000000000000005.0000000000000001", []string{"tx.0000000000000005.0000000000000002"}, "committed after this file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			var inc []segment.Included
			for _, n := range tt.included {
				inc = append(inc, segment.Included{Name: n, ID: segment.NewID()})
			}
			writeFile(t, db, tt.file, segmentBytes(t, segment.Options{Included: inc}, row{"a", 1, 0}))
			r, err := db.Check()
			must(t, err)
			if r.Healthy() || !strings.Contains(r.Problems[0].String(), tt.want) {
				t.Fatalf("problems %v, want %q", r.Problems, tt.want)
			}
		})
	}
}

func TestRepair_TornTransactions(t *testing.T) {
	db, files, _ := sweepFixture(t)
	data, markers := files[1], files[2]
	keep := commitRows(t, db, row{"z", 1, 1})
	want := dump(t, db, &Selector{Filters: [][]byte{[]byte("z")}})
	// data: a block damaged, the footer intact; markers: torn to nothing.
	path := filepath.Join(db.Dir(), data)
	raw, err := os.ReadFile(path)
	must(t, err)
	raw[20] ^= 1
	must(t, os.WriteFile(path, raw, 0o644))
	writeFile(t, db, markers, nil)
	writeFile(t, db, data+".damaged", []byte("an older one"))

	r, moved, err := db.Repair()
	must(t, err)
	if r.Healthy() || len(moved) != 2 {
		t.Fatalf("repair moved %v; problems %v", moved, r.Problems)
	}
	m := moved[0]
	if m.Name != data || m.To != data+".damaged.1" || !m.FooterOK || m.Rows != 82 || !m.KeysOK || string(m.FirstKey) != "alpha" {
		t.Fatalf("moved %+v", m)
	}
	if m := moved[1]; m.Name != markers || m.To != markers+".damaged" || m.FooterOK {
		t.Fatalf("moved %+v", m)
	}
	for _, name := range []string{data + ".damaged.1", markers + ".damaged", keep} {
		if _, err := os.Stat(filepath.Join(db.Dir(), name)); err != nil {
			t.Fatal(err)
		}
	}
	if got := dump(t, db, &Selector{Filters: [][]byte{[]byte("z")}}); got != want {
		t.Fatalf("after repair: %q, want %q", got, want)
	}
	r, err = db.Check()
	must(t, err)
	if !r.Healthy() {
		t.Fatalf("after repair: %v", r.Problems)
	}
}

func TestRepair_NeverTouchesMain(t *testing.T) {
	db, names, _ := sweepFixture(t)
	writeFile(t, db, names[1], []byte("torn"))
	path := filepath.Join(db.Dir(), MainName)
	raw, err := os.ReadFile(path)
	must(t, err)
	raw[len(raw)/2] ^= 0x40
	must(t, os.WriteFile(path, raw, 0o644))
	before := dataFiles(t, db)
	_, moved, err := db.Repair()
	if !errors.Is(err, ErrMainDamaged) || len(moved) != 0 {
		t.Fatalf("repair with a damaged main: %v, moved %v", err, moved)
	}
	if after := dataFiles(t, db); !slices.Equal(after, before) {
		t.Fatalf("repair changed %v to %v", before, after)
	}
}
