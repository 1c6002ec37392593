package tsdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// The corruption sweep damages each file of a small database in every way
// a disk, a torn write or a careless tool can (every byte flipped, random
// bits flipped, truncation at every length, a zeroed tail, garbage
// appended) and reads the whole database through a Snapshot after each
// damage. Every damage must be reported as an error wrapping
// segment.ErrCorrupt or segment.ErrVersion that names the file and an
// offset: never a wrong row, never rows silently missing, never a panic,
// never a read that hangs.
//
// The one damage that cannot be detected is by design: `main` truncated to
// 0 bytes is the empty database (`touch db/main`), so it is exempt.

// caseDeadline bounds one read of the sweep. Reads of these files take well
// under a millisecond; a read that takes a second is a hang.
const caseDeadline = time.Second

// sweepFixture builds the database of the sweep and returns it with the
// names of its files and its full dump. main has two index pages, strings,
// a zstd-compressed block and an included list; one transaction holds data
// (strings, bytes, a compressed block, rows that override main's), another
// delete markers.
func sweepFixture(t testing.TB) (*DB, []string, string) {
	t.Helper()
	db := newDB(t)
	var buf bytes.Buffer
	w := segment.NewWriter(&buf, segment.Options{Included: []segment.Included{{Name: "tx.0000000000000001", ID: segment.NewID()}}})
	must(t, w.WriteBlock(sweepBlock("alpha", "us", 1, 40)))
	must(t, w.WriteBlock(sweepBlock("beta", "F", 7, 3)))
	for i := range segment.PageEntries + 4 {
		must(t, w.WriteBlock(sweepBlock(fmt.Sprintf("k%03d", i), "u", uint64(i), 1)))
	}
	must(t, w.Close())
	writeFile(t, db, MainName, buf.Bytes())

	tx, err := db.Begin()
	must(t, err)
	for _, b := range []*format.Block{sweepBlock("alpha", "s", 20, 30), sweepBlock("delta", "uB", 3, 50), sweepBlock("k001", "I", 0, 2)} {
		must(t, tx.Write(b))
	}
	data, err := tx.Commit()
	must(t, err)
	markers, err := db.Delete(format.Marker{Filter: []byte("k00%"), HasFilter: true, Bounds: format.Bounds{AfterTime: 3, HasAfterTime: true}},
		format.Marker{Bounds: format.Bounds{AfterKey: []byte("k1"), HasAfterKey: true, BeforeKey: []byte("k2"), HasBeforeKey: true}})
	must(t, err)
	want, err := readAll(db, false)
	must(t, err)
	if strings.Count(want, "\n") < 200 {
		t.Fatalf("fixture reads only %d rows", strings.Count(want, "\n"))
	}
	return db, []string{MainName, data, markers}, want
}

// sweepBlock is n rows of key with values of every column of f derived
// from the row number; strings repeat enough to be worth compressing.
func sweepBlock(key string, f format.Format, start uint64, n int) *format.Block {
	b := &format.Block{}
	b.Reset([]byte(key), f)
	for i := range n {
		b.Times = append(b.Times, start+uint64(i)*3)
		for col := range b.Cols {
			if f.Code(col).Variable() {
				b.AppendBytes(col, []byte(strings.Repeat(string(rune('a'+i%7)), i%11)+"\x00é"))
			} else {
				b.Cols[col].Nums = append(b.Cols[col].Nums, uint64(i*i+col))
			}
		}
	}
	return b
}

// readAll reads every row of the database, with Scan or, when parallel,
// with ScanAppend on two workers (the path of `chime read`).
func readAll(db *DB, parallel bool) (string, error) {
	snap, err := db.Snapshot()
	if err != nil {
		return "", err
	}
	defer snap.Close()
	var sb strings.Builder
	if parallel {
		err = snap.ScanAppend(&Selector{}, 2, appendRows, func(b []byte) error {
			sb.Write(b)
			return nil
		})
	} else {
		err = snap.Scan(&Selector{}, func(b *format.Block, from, to int) error {
			sb.Write(appendRows(nil, b, from, to))
			return nil
		})
	}
	return sb.String(), err
}

// appendRows prints rows exactly: every column of every format.
func appendRows(dst []byte, b *format.Block, from, to int) []byte {
	for i := from; i < to; i++ {
		dst = fmt.Appendf(dst, "%q %d %s", b.Key, b.Times[i], b.Format)
		for col := range b.Cols {
			if b.Format.Code(col).Variable() {
				dst = strconv.AppendQuote(append(dst, ' '), string(b.Bytes(col, i)))
			} else {
				dst = strconv.AppendUint(append(dst, ' '), b.Cols[col].Nums[i], 10)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// damage is one way of damaging a file.
type damage struct {
	kind string // flip, bits, truncate, zero-tail, append
	what string
	data []byte
}

// damages lists every damage of the sweep for data; short thins the
// exhaustive kinds to every 7th offset.
func damages(data []byte, r *rand.Rand, short bool) []damage {
	var out []damage
	add := func(kind, what string, bad []byte) {
		if !bytes.Equal(bad, data) {
			out = append(out, damage{kind, what, bad})
		}
	}
	step := 1
	if short {
		step = 7
	}
	for i := 0; i < len(data); i += step {
		bad := slices.Clone(data)
		bad[i] ^= 0xff
		add("flip", fmt.Sprintf("byte %d ^ 0xff", i), bad)
	}
	for i := range 300 {
		bad := slices.Clone(data)
		n := 1 + i%4
		var at []int
		for range n {
			bit := r.IntN(8 * len(data))
			bad[bit/8] ^= 1 << (bit % 8)
			at = append(at, bit)
		}
		add("bits", fmt.Sprintf("bits %v flipped", at), bad)
	}
	for n := 0; n < len(data); n += step {
		add("truncate", fmt.Sprintf("truncated to %d bytes", n), slices.Clone(data[:n]))
	}
	for n := 0; n < len(data); n += step {
		bad := slices.Clone(data)
		clear(bad[n:])
		add("zero-tail", fmt.Sprintf("zeroed from %d", n), bad)
	}
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	footer := data[len(data)-64:]
	for _, g := range []struct {
		what  string
		bytes []byte
	}{
		{"1 random byte", junk[:1]}, {"7 random bytes", junk[:7]}, {"64 random bytes", junk[:64]},
		{"4096 random bytes", junk}, {"64 zero bytes", make([]byte, 64)}, {"a copy of the footer", footer},
		{"a newline", []byte("\n")}, {"a copy of the file", data},
	} {
		add("append", g.what+" appended", append(slices.Clone(data), g.bytes...))
	}
	return out
}

// sweepStats counts the outcomes of the sweep by damage kind.
type sweepStats struct {
	cases, detected, exempt map[string]int
}

func TestCorruption_Sweep(t *testing.T) {
	db, files, want := sweepFixture(t)
	r := rand.New(rand.NewPCG(6, 4))
	st := sweepStats{map[string]int{}, map[string]int{}, map[string]int{}}
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(db.Dir(), name))
		must(t, err)
		t.Logf("%s: %d bytes", name, len(data))
		for i, d := range damages(data, r, testing.Short()) {
			m := memCopy(t, db)
			m.WriteFile(name, d.data)
			damaged := openMem(t, m, Options{})
			st.cases[d.kind]++
			if name == MainName && len(d.data) == 0 {
				st.exempt[d.kind]++ // the empty database
				continue
			}
			got, err := guardedRead(t, func() (string, error) { return readAll(damaged, i%2 == 1) })
			if msg := checkDetected(name, got, want, err); msg != "" {
				t.Errorf("%s %s: %s", name, d.what, msg)
				continue
			}
			st.detected[d.kind]++
		}
	}
	total, detected, exempt := 0, 0, 0
	for _, k := range []string{"flip", "bits", "truncate", "zero-tail", "append"} {
		t.Logf("%-9s %5d cases, %5d detected, %d exempt", k, st.cases[k], st.detected[k], st.exempt[k])
		total, detected, exempt = total+st.cases[k], detected+st.detected[k], exempt+st.exempt[k]
	}
	t.Logf("all       %5d cases, %5d detected (%.2f%% of %d), %d exempt (main truncated to 0 bytes: the empty database)",
		total, detected, 100*float64(detected)/float64(total-exempt), total-exempt, exempt)
}

// checkDetected says what is wrong with the outcome of a damaged read, or
// "" when the damage was reported as it must be.
func checkDetected(name, got, want string, err error) string {
	switch {
	case err == nil && got == want:
		return "not detected (the rows read back intact)"
	case err == nil:
		return fmt.Sprintf("not detected: read %d rows, want %d, or wrong values", strings.Count(got, "\n"), strings.Count(want, "\n"))
	case !errors.Is(err, segment.ErrCorrupt) && !errors.Is(err, segment.ErrVersion):
		return fmt.Sprintf("error %q wraps neither ErrCorrupt nor ErrVersion", err)
	case !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "offset"):
		return fmt.Sprintf("error %q does not name the file and the offset", err)
	}
	return ""
}

// guardedRead runs read on its own goroutine and fails the test if it
// panics or takes longer than caseDeadline.
func guardedRead(t *testing.T, read func() (string, error)) (string, error) {
	t.Helper()
	type result struct {
		out   string
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p}
			}
		}()
		out, err := read()
		done <- result{out: out, err: err}
	}()
	timer := time.NewTimer(caseDeadline)
	defer timer.Stop()
	select {
	case res := <-done:
		if res.panic != nil {
			t.Fatalf("read panicked: %v", res.panic)
		}
		return res.out, res.err
	case <-timer.C:
		t.Fatalf("read took more than %v", caseDeadline)
		return "", nil
	}
}

// TestCorruption_OnDisk damages the transaction file on disk and reads
// through the real file system, with mmap and with pread: truncation at
// every length, the damage a torn --no-sync commit leaves.
func TestCorruption_OnDisk(t *testing.T) {
	db, files, want := sweepFixture(t)
	name := files[1]
	path := filepath.Join(db.Dir(), name)
	data, err := os.ReadFile(path)
	must(t, err)
	step := 1
	if testing.Short() {
		step = 13
	}
	for n := 0; n < len(data); n += step {
		must(t, os.WriteFile(path, data[:n], 0o644))
		for _, noMmap := range []bool{false, true} {
			damaged, err := Open(db.Dir(), &Options{NoMmap: noMmap})
			must(t, err)
			got, err := guardedRead(t, func() (string, error) { return readAll(damaged, false) })
			if msg := checkDetected(name, got, want, err); msg != "" {
				t.Fatalf("%s truncated to %d bytes (no mmap %v): %s", name, n, noMmap, msg)
			}
		}
	}
}

// TestSnapshot_EmptyTransaction: a transaction file is never published
// empty, so an empty one is damage (a --no-sync commit torn by a power
// loss), not "no rows"; an empty main is the empty database.
func TestSnapshot_EmptyTransaction(t *testing.T) {
	db := newDB(t)
	if got, err := readAll(db, false); err != nil || got != "" {
		t.Fatalf("empty main: %q, %v", got, err)
	}
	writeFile(t, db, "tx.0000000000000005", nil)
	if _, err := readAll(db, false); !errors.Is(err, segment.ErrCorrupt) || !strings.Contains(err.Error(), "tx.0000000000000005") {
		t.Fatalf("empty transaction file: %v, want ErrCorrupt naming it", err)
	}
}

// TestCorruption_NewerVersion: a file of an unknown version (its header
// intact) is refused with ErrVersion, not read and not called damage; a
// damaged version field is damage.
func TestCorruption_NewerVersion(t *testing.T) {
	db, files, _ := sweepFixture(t)
	path := filepath.Join(db.Dir(), files[1])
	data, err := os.ReadFile(path)
	must(t, err)
	newer := slices.Clone(data)
	binary.LittleEndian.PutUint16(newer[8:], segment.Version+1)
	binary.LittleEndian.PutUint32(newer[12:], crc32.Checksum(newer[:12], crc32.MakeTable(crc32.Castagnoli)))
	must(t, os.WriteFile(path, newer, 0o644))
	_, err = readAll(db, false)
	if !errors.Is(err, segment.ErrVersion) || errors.Is(err, segment.ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("version %d", segment.Version+1)) {
		t.Fatalf("newer version: %v, want ErrVersion", err)
	}
	damaged := slices.Clone(data)
	damaged[8] = segment.Version + 1
	must(t, os.WriteFile(path, damaged, 0o644))
	if _, err = readAll(db, false); !errors.Is(err, segment.ErrCorrupt) {
		t.Fatalf("damaged version field: %v, want ErrCorrupt", err)
	}
}
