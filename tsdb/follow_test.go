package tsdb

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

// renderRows renders u rows as "key ts val" lines.
func renderRows(dst []byte, b *format.Block, from, to int) []byte {
	for i := from; i < to; i++ {
		dst = fmt.Appendf(dst, "%s %d %d\n", b.Key, b.Times[i], b.Cols[0].Nums[i])
	}
	return dst
}

// follower follows sel in db, with its output so far.
type follower struct {
	t   testing.TB
	f   *Follower
	out bytes.Buffer
}

func newFollower(t testing.TB, db *DB, sel *Selector) *follower {
	t.Helper()
	f, err := db.Follow(sel)
	must(t, err)
	t.Cleanup(func() { must(t, f.Close()) })
	fl := &follower{t: t, f: f}
	must(t, f.Snapshot().ScanAppend(f.sel, 0, renderRows, fl.write))
	return fl
}

func (fl *follower) write(b []byte) error { fl.out.Write(b); return nil }

// poll polls and returns what it printed.
func (fl *follower) poll() string {
	fl.t.Helper()
	n := fl.out.Len()
	must(fl.t, fl.f.Poll(renderRows, fl.write))
	return fl.out.String()[n:]
}

func rowLines(rows ...row) string {
	var sb strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&sb, "%s %d %d\n", r.key, r.ts, r.val)
	}
	return sb.String()
}

// publishOutput writes rows (sorted) as a compaction output and publishes
// it as compaction does, then removes the files it includes: a main
// (target MainName) that includes the named files, or a minor output at
// the position of target, the newest file merged, which includes target
// and the named files.
func publishOutput(t testing.TB, db *DB, target string, inc []string, rows ...row) {
	t.Helper()
	name := MainName
	if target != MainName {
		inc, name = append(inc, target), outputName(parseName(target).pos, 1)
	}
	writeFile(t, db, "out.tmp", segmentBytes(t, segment.Options{Included: included(t, db, inc...)}, rows...))
	must(t, os.Rename(filepath.Join(db.Dir(), "out.tmp"), filepath.Join(db.Dir(), name)))
	for _, n := range inc {
		must(t, os.Remove(filepath.Join(db.Dir(), n)))
	}
}

func TestFollower_NewTransactions(t *testing.T) {
	db := newDB(t)
	commitRows(t, db, row{"a", 1, 1})
	fl := newFollower(t, db, nil)
	if got := fl.out.String(); got != "a 1 1\n" {
		t.Fatalf("snapshot: %q", got)
	}
	if got := fl.poll(); got != "" {
		t.Fatalf("nothing new: %q", got)
	}
	commitRows(t, db, row{"b", 1, 2}, row{"c", 1, 3})
	_, err := db.Delete(format.Marker{Filter: []byte("b"), HasFilter: true})
	must(t, err)
	commitRows(t, db, row{"a", 1, 5}, row{"a", 2, 4})
	// In commit order, each transaction in key order; the delete
	// retracts nothing; the overwrite of a@1 is a new row.
	if got, want := fl.poll(), rowLines(row{"b", 1, 2}, row{"c", 1, 3}, row{"a", 1, 5}, row{"a", 2, 4}); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := fl.poll(); got != "" {
		t.Fatalf("printed again: %q", got)
	}
}

func TestFollower_Selector(t *testing.T) {
	db := newDB(t)
	fl := newFollower(t, db, &Selector{Filters: [][]byte{[]byte("a%")}, Bounds: format.Bounds{AfterTime: 2, HasAfterTime: true}})
	commitRows(t, db, row{"a", 1, 1}, row{"a", 2, 2}, row{"ab", 3, 3}, row{"b", 3, 4})
	if got, want := fl.poll(), rowLines(row{"a", 2, 2}, row{"ab", 3, 3}); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFollower_MinorCompaction: a minor compaction merges two printed
// transactions and one the follower has not seen, at the unseen one's
// position; only the unseen one's rows are printed, its overwrite of a
// printed row included.
func TestFollower_MinorCompaction(t *testing.T) {
	db := newDB(t)
	txA := commitRows(t, db, row{"k1", 1, 1})
	fl := newFollower(t, db, nil)
	txB := commitRows(t, db, row{"k2", 1, 2}, row{"k2", 2, 2})
	if got := fl.poll(); got != rowLines(row{"k2", 1, 2}, row{"k2", 2, 2}) {
		t.Fatalf("before compaction: %q", got)
	}
	txC := commitRows(t, db, row{"k1", 2, 3}, row{"k2", 2, 30}, row{"k3", 1, 3})
	publishOutput(t, db, txC, []string{txA, txB},
		row{"k1", 1, 1}, row{"k1", 2, 3}, row{"k2", 1, 2}, row{"k2", 2, 30}, row{"k3", 1, 3})
	if got, want := fl.poll(), rowLines(row{"k1", 2, 3}, row{"k2", 2, 30}, row{"k3", 1, 3}); got != want {
		t.Fatalf("after compaction got\n%s\nwant\n%s", got, want)
	}
	if _, ok := fl.f.held[txB]; ok {
		t.Errorf("%s still held after an output included it", txB)
	}
	commitRows(t, db, row{"k4", 1, 4})
	if got := fl.poll(); got != rowLines(row{"k4", 1, 4}) {
		t.Fatalf("after the compaction's output: %q", got)
	}
}

// TestFollower_OutputOfOutput: a printed transaction P is merged with an
// unseen T (an output at T's position, including P), which is merged again
// with an unseen U (an output at U's position, including only T's output):
// P's rows, which U's list does not name, are not printed again.
func TestFollower_OutputOfOutput(t *testing.T) {
	db := newDB(t)
	fl := newFollower(t, db, nil)
	txP := commitRows(t, db, row{"p", 1, 1})
	fl.poll()
	txT := commitRows(t, db, row{"t", 1, 2})
	publishOutput(t, db, txT, []string{txP}, row{"p", 1, 1}, row{"t", 1, 2})
	outT := outputName(parseName(txT).pos, 1)
	txU := commitRows(t, db, row{"p", 2, 3}, row{"u", 1, 4})
	publishOutput(t, db, txU, []string{outT}, row{"p", 1, 1}, row{"p", 2, 3}, row{"t", 1, 2}, row{"u", 1, 4})
	txU = outputName(parseName(txU).pos, 1)
	if got, want := fl.poll(), rowLines(row{"p", 2, 3}, row{"t", 1, 2}, row{"u", 1, 4}); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// A main that names only U releases P too.
	publishOutput(t, db, MainName, []string{txU}, row{"p", 1, 1}, row{"p", 2, 3}, row{"t", 1, 2}, row{"u", 1, 4})
	if got := fl.poll(); got != "" {
		t.Fatalf("main printed %q", got)
	}
	if len(fl.f.held) != 0 {
		t.Errorf("still held: %v", slices.Collect(maps.Keys(fl.f.held)))
	}
}

// TestFollower_MajorCompaction: a new main that includes only printed
// transactions prints nothing; one that includes an unseen transaction
// prints that transaction's rows.
func TestFollower_MajorCompaction(t *testing.T) {
	db := newDB(t)
	txA := commitRows(t, db, row{"a", 1, 1})
	fl := newFollower(t, db, nil)
	txB := commitRows(t, db, row{"b", 1, 2})
	fl.poll()
	publishOutput(t, db, MainName, []string{txA, txB}, row{"a", 1, 1}, row{"b", 1, 2})
	if got := fl.poll(); got != "" {
		t.Fatalf("main of printed transactions: %q", got)
	}
	if len(fl.f.held) != 0 {
		t.Errorf("still held: %v", slices.Collect(maps.Keys(fl.f.held)))
	}
	txC := commitRows(t, db, row{"a", 1, 10}, row{"c", 1, 3})
	commitRows(t, db, row{"d", 1, 4})
	publishOutput(t, db, MainName, []string{txC}, row{"a", 1, 10}, row{"b", 1, 2}, row{"c", 1, 3})
	if got, want := fl.poll(), rowLines(row{"a", 1, 10}, row{"c", 1, 3}, row{"d", 1, 4}); got != want {
		t.Fatalf("main with an unseen transaction got\n%s\nwant\n%s", got, want)
	}
}

// TestFollower_Vanished: a transaction listed but merged into main before
// the follower opens it is printed from main at the next poll, before the
// transactions after it.
func TestFollower_Vanished(t *testing.T) {
	db, m := newMemDB(t, memfs.Options{})
	fl := newFollower(t, db, nil)
	txX := commitRows(t, db, row{"x", 1, 1})
	commitRows(t, db, row{"y", 1, 2})
	m.SetHook(func(op, name string) {
		if op == "open" && name == txX {
			m.SetHook(nil)
			m.WriteFile(MainName, segmentBytes(t, segment.Options{Included: included(t, db, txX)}, row{"x", 1, 1}))
			must(t, m.Remove(txX))
		}
	})
	if got := fl.poll(); got != "" {
		t.Fatalf("first poll printed %q", got)
	}
	if got, want := fl.poll(), rowLines(row{"x", 1, 1}, row{"y", 1, 2}); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFollower_ConcurrentAdds: transactions committed while the follower
// polls are each printed once, in commit order.
func TestFollower_ConcurrentAdds(t *testing.T) {
	db := newDB(t)
	fl := newFollower(t, db, nil)
	const n = 40
	names := make([]string, n)
	done := make(chan error)
	go func() {
		var err error
		for i := 0; i < n && err == nil; i++ {
			names[i], err = commitU(db, row{fmt.Sprint("k", i%3), uint64(i), uint64(i)}, row{"z", uint64(i), 0})
		}
		done <- err
	}()
	for finished := false; !finished; {
		select {
		case err := <-done:
			must(t, err)
			finished = true
		default:
		}
		fl.poll()
	}
	var want strings.Builder
	for i := range n {
		want.WriteString(rowLines(row{fmt.Sprint("k", i%3), uint64(i), uint64(i)}, row{"z", uint64(i), 0}))
	}
	if got := fl.out.String(); got != want.String() {
		t.Fatalf("got\n%s\nwant\n%s", got, want.String())
	}
	if !slices.IsSorted(names) {
		t.Fatalf("names out of commit order: %v", names)
	}
}

// TestFollower_EmptyTransaction: an empty transaction file (a --no-sync
// commit torn by a power loss) is damage to the follower as to a
// snapshot, never a transaction without rows to skip silently.
func TestFollower_EmptyTransaction(t *testing.T) {
	db := newDB(t)
	fl := newFollower(t, db, nil)
	writeFile(t, db, "tx.0000000000000005", nil)
	err := fl.f.Poll(renderRows, fl.write)
	if !errors.Is(err, segment.ErrCorrupt) || !strings.Contains(err.Error(), "tx.0000000000000005") {
		t.Fatalf("poll over an empty transaction file: %v, want ErrCorrupt naming it", err)
	}
}
