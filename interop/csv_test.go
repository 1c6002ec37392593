package interop_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSV_DuckDBReadsChime reads read -o csv with DuckDB: quoting, the
// empty string apart from a missing value, exact integers and floats.
func TestCSV_DuckDBReadsChime(t *testing.T) {
	dir := load(t, `a,b 1 uFs 1 0.1 x"y
a,b 2 uFs 2 -2.5 
k 3 uF 4294967295 1e300
`)
	file := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(file, []byte(mustChime(t, nil, "-d", dir, "read", "%", "-o", "csv")), 0o644)
	db := duck(t)
	got := query(t, db, `SELECT key, ts, v1, v2, v3 FROM read_csv(?, header = true, allow_quoted_nulls = false, columns = {'key': 'VARCHAR', 'ts': 'UBIGINT', 'time': 'TIMESTAMPTZ', 'v1': 'UINTEGER', 'v2': 'DOUBLE', 'v3': 'VARCHAR'})`, file)
	equalLines(t, "rows", got, []string{
		`a,b|1|1|0.1|x"y`,
		`a,b|2|2|-2.5|`,
		`k|3|4294967295|1e+300|NULL`,
	})
}

// TestCSV_ChimeReadsDuckDB imports CSV that DuckDB writes, with column
// names of its own, unsorted, and round-trips chime -> DuckDB -> chime.
func TestCSV_ChimeReadsDuckDB(t *testing.T) {
	dir := load(t, `a 1000000000 uF 1 0.5
a 2000000000 uF 2 -0.25
b 1000000000 uF 3 1e-7
`)
	db := duck(t)
	in := filepath.Join(t.TempDir(), "in.csv")
	out := filepath.Join(t.TempDir(), "out.csv")
	os.WriteFile(in, []byte(mustChime(t, nil, "-d", dir, "read", "%", "-o", "csv")), 0o644)
	execSQL(t, db, fmt.Sprintf(`COPY (SELECT key AS sensor, "time" AS stamp, v2 AS reading, v1 AS count FROM read_csv('%s', header = true, columns = {'key': 'VARCHAR', 'ts': 'UBIGINT', 'time': 'TIMESTAMPTZ', 'v1': 'UINTEGER', 'v2': 'DOUBLE'}) ORDER BY stamp DESC) TO '%s' (HEADER)`, in, out))
	data, _ := os.ReadFile(out)
	again := newDB(t)
	args := []string{"-d", again, "add", "--input", "csv", "-f", "uF", "--key-column", "sensor", "--time-column", "stamp", "--value-columns", "count,reading"}
	_, errs, code := chime(t, data, args...)
	if code != 1 || !strings.Contains(errs, "--unsorted") {
		t.Fatalf("unsorted CSV: exit %d %q", code, errs)
	}
	mustChime(t, data, append(args, "--unsorted")...)
	got := mustChime(t, nil, "-d", again, "read", "%", "--timestamp-nanos")
	want := mustChime(t, nil, "-d", dir, "read", "%", "--timestamp-nanos")
	if got != want {
		t.Errorf("chime -> DuckDB -> chime:\n%s\nwant\n%s\n(DuckDB wrote %q)", got, want, data)
	}
}

// TestCSV_MissingColumn: a CSV without the column asked for, or with a
// row short of a cell, gives one line and commits nothing.
func TestCSV_MissingColumn(t *testing.T) {
	for _, tt := range []struct {
		name, csv string
		args      []string
		want      string
	}{
		{"no such column", "key,ts,v1\na,1,1\n", []string{"--value-columns", "v1,v2"}, `no value column "v2"`},
		{"short row", "key,ts,v1,v2\na,1,1,2\nb,1,1\n", nil, "line 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDB(t)
			_, errs, code := chime(t, []byte(tt.csv), append([]string{"-d", dir, "add", "--input", "csv", "-f", "u"}, tt.args...)...)
			if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, %q: want 1 and one line with %q", code, errs, tt.want)
			}
			if out := mustChime(t, nil, "-d", dir, "read", "%"); out != "" {
				t.Errorf("rows committed: %q", out)
			}
		})
	}
}
