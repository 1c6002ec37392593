package compact

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// model is what the database must read as: key -> ts -> "format value".
type model map[string]map[uint64]string

var keys = []string{"a", "ab", "b", "ba", "c"}

func newDB(t testing.TB) *tsdb.DB {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	if err := tsdb.Init(dir); err != nil {
		t.Fatal(err)
	}
	db, err := tsdb.Open(dir, &tsdb.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// add commits random rows of one format to db and m.
func (m model) add(t testing.TB, r *rand.Rand, db *tsdb.DB) {
	f := []string{"u", "U", "s"}[r.IntN(3)]
	var sb strings.Builder
	for _, k := range keys {
		if r.IntN(2) == 0 {
			continue
		}
		for ts := r.Uint64N(4); ts < 30; ts += 1 + r.Uint64N(6) {
			v := fmt.Sprint(r.IntN(100))
			fmt.Fprintf(&sb, "%s %d %s\n", k, ts, v)
			if m[k] == nil {
				m[k] = map[uint64]string{}
			}
			m[k][ts] = f + " " + v
		}
	}
	if _, _, err := db.AddText(strings.NewReader(sb.String()), text.Options{Format: format.Format(f)}); err != nil {
		t.Fatal(err)
	}
}

// delete publishes a random marker and applies it to m.
func (m model) delete(t testing.TB, r *rand.Rand, db *tsdb.DB) {
	var mk format.Marker
	if r.IntN(2) == 0 {
		mk.Filter, mk.HasFilter = []byte([]string{"a%", "%b", "c", "%"}[r.IntN(4)]), true
	}
	if r.IntN(3) == 0 {
		mk.AfterKey, mk.HasAfterKey = []byte(keys[r.IntN(len(keys))]), true
	}
	if r.IntN(2) == 0 {
		mk.AfterTime, mk.HasAfterTime = r.Uint64N(30), true
	}
	if r.IntN(2) == 0 {
		mk.BeforeTime, mk.HasBeforeTime = r.Uint64N(30), true
	}
	if _, err := db.Delete(mk); err != nil {
		t.Fatal(err)
	}
	for k, rows := range m {
		if mk.HasFilter && !matchPattern(string(mk.Filter), k) || mk.HasAfterKey && k < string(mk.AfterKey) {
			continue
		}
		for ts := range rows {
			if (!mk.HasAfterTime || ts >= mk.AfterTime) && (!mk.HasBeforeTime || ts < mk.BeforeTime) {
				delete(rows, ts)
			}
		}
	}
}

// dump renders m as readDB does.
func (m model) dump() string {
	var lines []string
	for k, rows := range m {
		for ts, v := range rows {
			lines = append(lines, fmt.Sprintf("%s %020d %s", k, ts, v))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// readDB renders every row of db as "key ts format value" lines.
func readDB(t testing.TB, db *tsdb.DB) string {
	t.Helper()
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var lines []string
	err = snap.Scan(&tsdb.Selector{}, func(b *format.Block, from, to int) error {
		for i := from; i < to; i++ {
			v := text.AppendValue(nil, b.Format.Code(0), num(b, i), bytesOf(b, i))
			lines = append(lines, fmt.Sprintf("%s %020d %s %s", b.Key, b.Times[i], b.Format, v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(lines) {
		t.Fatal("rows out of order")
	}
	return strings.Join(lines, "\n")
}

func num(b *format.Block, i int) uint64 {
	if b.Format.Code(0).Variable() {
		return 0
	}
	return b.Cols[0].Nums[i]
}

func bytesOf(b *format.Block, i int) []byte {
	if b.Format.Code(0).Variable() {
		return b.Bytes(0, i)
	}
	return nil
}

// TestRun_Model runs random sequences of add, delete and compactions
// (minor, major, through a filter) and checks every read against the
// model: compaction never loses, duplicates or resurrects a row.
func TestRun_Model(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(40) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			db, m := newDB(t), model{}
			for step := range 25 {
				var what string
				switch n := r.IntN(10); {
				case n < 5:
					what = "add"
					m.add(t, r, db)
				case n < 7:
					what = "delete"
					m.delete(t, r, db)
				case n < 8:
					what = "minor"
					mustRun(t, ctx, db, Options{})
				case n < 9:
					what = "major"
					mustRun(t, ctx, db, Options{Major: true})
				default:
					what = "gegnum"
					mustRun(t, ctx, db, Options{Major: r.IntN(2) == 0, Gegnum: "cat"})
				}
				if got, want := readDB(t, db), m.dump(); got != want {
					t.Fatalf("step %d (%s):\ngot\n%s\nwant\n%s", step, what, got, want)
				}
			}
		})
	}
}

func mustRun(t testing.TB, ctx context.Context, db *tsdb.DB, o Options) {
	t.Helper()
	if _, err := Run(ctx, db, o); err != nil {
		t.Fatal(err)
	}
}

// matchPattern is the naive meaning of a % pattern: % matches any run of
// bytes, every other byte itself.
func matchPattern(p, k string) bool {
	first, rest, wild := strings.Cut(p, "%")
	if !wild {
		return p == k
	}
	if !strings.HasPrefix(k, first) {
		return false
	}
	k = k[len(first):]
	for {
		part, more, wild := strings.Cut(rest, "%")
		if !wild {
			return strings.HasSuffix(k, part) && len(k) >= len(part)
		}
		i := strings.Index(k, part)
		if i < 0 {
			return false
		}
		k, rest = k[i+len(part):], more
	}
}
