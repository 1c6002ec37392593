package parquet

import (
	"embed"
	"runtime"
	"strconv"
	"testing"
)

// testdata holds files written by DuckDB and by arrow-go (pandas' writer)
// with their encodings, codecs and page versions: interop/parquetfixtures
// makes them. Embedded, as the package is pure (no os, even in tests).
//
//go:embed testdata/*.parquet
var testdata embed.FS

// fixtures returns the files of testdata by name.
func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	entries, err := testdata.ReadDir("testdata")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no fixtures in testdata: %v", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := testdata.ReadFile("testdata/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

// fixtureRows are the rows every fixture holds: key "key" + i/100, i
// seconds, a = i (INTEGER), b = i/2 (DOUBLE), c = "str" + i for even i
// and null (a narrower row) for odd i.
func fixtureRows() []row {
	var rows []row
	for i := range 300 {
		r := row{key: "key" + strconv.Itoa(i/100), ts: uint64(i) * 1e9, f: "iF", nums: []uint64{i64(int64(i)), f64(float64(i) * 0.5)}}
		if i%2 == 0 {
			r.f, r.strs = "iFs", []string{"str" + strconv.Itoa(i)}
		}
		rows = append(rows, r)
	}
	return rows
}

// TestRead_Fixtures reads files that other writers made.
func TestRead_Fixtures(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			got, err := importAll(data, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, got, fixtureRows())
		})
	}
}

// TestRead_Damaged damages every fixture and a file of chime's a byte at
// a time, and truncates them: each read must end in rows or an error,
// never a panic, and allocate little more than the file holds (a damaged
// length must not make the reader allocate what it declares).
func TestRead_Damaged(t *testing.T) {
	files := fixtures(t)
	files["chime"] = export(t, fixtureRows(), &WriterOptions{RowGroupRows: 100})
	const maxAlloc = 64 << 20
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			step := 7 // every byte takes a minute
			if testing.Short() {
				step = 29
			}
			damaged := make([]byte, len(data))
			for at := 0; at < len(data); at += step {
				for _, b := range []byte{0x00, 0xff, data[at] ^ 0x81} {
					copy(damaged, data)
					damaged[at] = b
					if n := allocated(func() { importAll(damaged, nil) }); n > maxAlloc {
						t.Fatalf("byte %d set to %#x: the read allocated %d bytes", at, b, n)
					}
				}
				if _, err := importAll(data[:at], nil); err == nil && at < len(data) {
					t.Fatalf("truncated to %d bytes: no error", at)
				}
			}
		})
	}
}

// allocated is the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
