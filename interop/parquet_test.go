package interop_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleRows has every type, multi-column formats, rows narrower than
// others (nulls in Parquet), keys with spaces and non-ASCII bytes. Each
// column has one type across keys, so that the file reads back exactly.
const sampleRows = `a\ b 1000 uUiIfFsB 4294967295 18446744073709551615 -2147483648 -9223372036854775808 0.5 -0.1 hello\ world AAE=
a\ b 2000 uUiIfF 0 0 0 0 -0 1e300
a\ b 3000 u 7
café 1000 uUiI 1 2 -3 -4
日本\ 語 1000000000 uUiIfFs 1 2 3 4 inf -inf x
`

// TestParquet_DuckDBReadsChime exports every type and reads it with
// DuckDB: the schema, the values, the nulls of narrower rows, UTC
// timestamps. DuckDB (1.5) reads a TIMESTAMP(NANOS, isAdjustedToUTC) as
// TIMESTAMP WITH TIME ZONE, in microseconds: the times here are whole
// microseconds (chime itself reads the nanoseconds back exactly).
func TestParquet_DuckDBReadsChime(t *testing.T) {
	dir := load(t, sampleRows)
	file := filepath.Join(t.TempDir(), "x.parquet")
	mustChime(t, nil, "-d", dir, "read", "%", "-o", "parquet", "--output-file", file)
	db := duck(t)
	schema := query(t, db, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", file)
	if len(schema) != 10 || !strings.HasPrefix(schema[1], "ts|TIMESTAMP") {
		t.Fatalf("schema %q, want key, a TIMESTAMP ts and 8 value columns", schema)
	}
	schema[1] = "ts"
	equalLines(t, "schema", schema, []string{
		"key|VARCHAR", "ts", "v1|UINTEGER", "v2|UBIGINT", "v3|INTEGER", "v4|BIGINT", "v5|FLOAT", "v6|DOUBLE", "v7|VARCHAR", "v8|BLOB",
	})
	got := query(t, db, `SELECT key, epoch_us(ts), v1, v2, v3, v4, v5, v6, v7, v8 FROM read_parquet(?)`, file)
	equalLines(t, "rows", got, []string{
		"a b|1|4294967295|18446744073709551615|-2147483648|-9223372036854775808|0.5|-0.1|hello world|0001",
		"a b|2|0|0|0|0|-0|1e+300|NULL|NULL",
		"a b|3|7|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"café|1|1|2|-3|-4|NULL|NULL|NULL|NULL",
		"日本 語|1000000|1|2|3|4|+Inf|-Inf|x|NULL",
	})
	// ts is an instant in UTC.
	equalLines(t, "ts as text", query(t, db, `SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') FROM read_parquet(?) WHERE key = '日本 語'`, file),
		[]string{"1970-01-01 00:00:01"})
}

// TestParquet_EmptySelection writes a file DuckDB reads as no rows.
func TestParquet_EmptySelection(t *testing.T) {
	dir := load(t, sampleRows)
	file := filepath.Join(t.TempDir(), "empty.parquet")
	mustChime(t, nil, "-d", dir, "read", "nosuch", "-o", "parquet", "--output-file", file)
	db := duck(t)
	equalLines(t, "count", query(t, db, "SELECT count(*) FROM read_parquet(?)", file), []string{"0"})
	equalLines(t, "columns", query(t, db, "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))", file), []string{"key", "ts"})
}

// TestParquet_RowGroups writes a file of several row groups and checks
// that DuckDB sees each with key and time statistics, and that the rows
// and their order survive.
func TestParquet_RowGroups(t *testing.T) {
	const keys, per = 6, 50000 // 300,000 rows: three row groups of 128Ki rows
	var b strings.Builder
	for k := range keys {
		for i := range per {
			fmt.Fprintf(&b, "sensor.%d %d %d\n", k, 1577836800000000000+uint64(i)*1e9, (i*7+k)%1000)
		}
	}
	dir := newDB(t)
	mustChime(t, []byte(b.String()), "-d", dir, "add", "-f", "u")
	file := filepath.Join(t.TempDir(), "big.parquet")
	mustChime(t, nil, "-d", dir, "read", "%", "-o", "parquet", "--output-file", file)
	db := duck(t)
	groups := query(t, db, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata(?)", file)
	equalLines(t, "row groups", groups, []string{"3"})
	stats := query(t, db, `SELECT row_group_id, stats_min_value, stats_max_value FROM parquet_metadata(?) WHERE path_in_schema = 'key' ORDER BY row_group_id`, file)
	equalLines(t, "key statistics", stats, []string{"0|sensor.0|sensor.2", "1|sensor.2|sensor.5", "2|sensor.5|sensor.5"})
	// A query on one key and an hour reads one row group, by the statistics.
	equalLines(t, "pruned", query(t, db, `SELECT count(*) FROM read_parquet(?) WHERE key = 'sensor.4' AND ts < TIMESTAMPTZ '2020-01-01 01:00:00+00'`, file), []string{"3600"})
	tsStats := query(t, db, `SELECT count(*) FROM parquet_metadata(?) WHERE path_in_schema = 'ts' AND stats_min_value IS NOT NULL AND stats_max_value IS NOT NULL`, file)
	equalLines(t, "ts statistics", tsStats, []string{"3"})
	equalLines(t, "rows", query(t, db, `SELECT count(*), count(DISTINCT key), sum(v1) FROM read_parquet(?)`, file),
		[]string{fmt.Sprintf("%d|%d|%d", keys*per, keys, sumValues(keys, per))})
	// The file is sorted as read prints: by key, then time.
	equalLines(t, "order", query(t, db, `SELECT count(*) FROM (SELECT key, ts, lag(key) OVER () AS pk, lag(ts) OVER () AS pt FROM read_parquet(?)) WHERE pk > key OR pk = key AND pt >= ts`, file), []string{"0"})
	// And comes back whole.
	again := newDB(t)
	data, _ := os.ReadFile(file)
	mustChime(t, data, "-d", again, "add", "--input", "parquet")
	if a, b := mustChime(t, nil, "-d", dir, "read", "%", "--timestamp-nanos"), mustChime(t, nil, "-d", again, "read", "%", "--timestamp-nanos"); a != b {
		t.Error("the database read back from Parquet differs")
	}
}

func sumValues(keys, per int) int {
	s := 0
	for k := range keys {
		for i := range per {
			s += (i*7 + k) % 1000
		}
	}
	return s
}

// TestParquet_ChimeReadsDuckDB imports files DuckDB writes: its own
// types (microsecond timestamps, small integers, booleans, dates as the
// time), nulls at the end of rows, unsorted rows with --unsorted.
func TestParquet_ChimeReadsDuckDB(t *testing.T) {
	db := duck(t)
	file := filepath.Join(t.TempDir(), "duck.parquet")
	execSQL(t, db, fmt.Sprintf(`COPY (
		SELECT * FROM (VALUES
			('b', TIMESTAMP '2020-01-01 00:00:01', 1::UINTEGER, 2::UBIGINT, -3::INTEGER, -4::BIGINT, 0.5::FLOAT, 0.1::DOUBLE, 'héllo', '\x00\x01'::BLOB, 7::SMALLINT, true),
			('a b', TIMESTAMP '2020-01-01 00:00:00.5', 5::UINTEGER, 6::UBIGINT, 7::INTEGER, 8::BIGINT, NULL, NULL, NULL, NULL, NULL, NULL),
			('a b', TIMESTAMP '2020-01-01 00:00:00', 9::UINTEGER, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
		) t(name, stamp, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)
	) TO '%s' (FORMAT parquet)`, file))
	data, _ := os.ReadFile(file)
	dir := newDB(t)
	_, errs, code := chime(t, data, "-d", dir, "add", "--input", "parquet", "--key-column", "name", "--time-column", "stamp")
	if code != 1 || !strings.Contains(errs, "row group 0, row 1") || !strings.Contains(errs, "--unsorted") {
		t.Errorf("unsorted DuckDB file without --unsorted: exit %d, %q", code, errs)
	}
	mustChime(t, data, "-d", dir, "add", "--input", "parquet", "--key-column", "name", "--time-column", "stamp", "--unsorted")
	got := mustChime(t, nil, "-d", dir, "read", "%", "--print-format", "--timestamp-format", "%FT%T%.f")
	want := "a\\ b\t2020-01-01T00:00:00\tu\t9\n" +
		"a\\ b\t2020-01-01T00:00:00.500\tuUiI\t5 6 7 8\n" +
		"b\t2020-01-01T00:00:01\tuUiIfFsBiu\t1 2 -3 -4 0.50000000000000000 0.10000000000000001 héllo AAE= 7 1\n"
	if got != want {
		t.Errorf("imported:\n%s\nwant\n%s", got, want)
	}

	// A DATE column as the time: midnight UTC.
	dates := filepath.Join(t.TempDir(), "dates.parquet")
	execSQL(t, db, fmt.Sprintf(`COPY (SELECT DATE '2012-01-01' + i::INTEGER AS day, (i * 1.5)::DOUBLE AS v FROM range(3) t(i)) TO '%s' (FORMAT parquet)`, dates))
	data, _ = os.ReadFile(dates)
	dir = newDB(t)
	mustChime(t, data, "-d", dir, "add", "--input", "parquet", "--key", "series", "--time-column", "day")
	got = mustChime(t, nil, "-d", dir, "read", "series", "--timestamp-format", "%F")
	if want := "series\t2012-01-01\t0.00000000000000000\nseries\t2012-01-02\t1.50000000000000000\nseries\t2012-01-03\t3.00000000000000000\n"; got != want {
		t.Errorf("dates:\n%s\nwant\n%s", got, want)
	}
}

// TestParquet_BadFiles gives one clear line and commits nothing: a
// truncated file, a key column that is not a string, a value column
// chime has no type for.
func TestParquet_BadFiles(t *testing.T) {
	db := duck(t)
	tmp := t.TempDir()
	good := filepath.Join(tmp, "good.parquet")
	execSQL(t, db, fmt.Sprintf(`COPY (SELECT 'k' AS key, TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts, i AS v1, 12.5::DECIMAL(5,2) AS price FROM range(1000) t(i)) TO '%s' (FORMAT parquet)`, good))
	data, _ := os.ReadFile(good)
	tests := []struct {
		name string
		data []byte
		args []string
		want string
	}{
		{"truncated", data[:len(data)/2], nil, "truncated"},
		{"truncated end", data[:len(data)-1], nil, "parquet input"},
		{"key not a string", data, []string{"--key-column", "v1", "--value-columns", "ts"}, `key column "v1"`},
		{"decimal", data, nil, `value column "price"`},
		{"missing column", data, []string{"--value-columns", "v1,volume"}, `no value column "volume"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDB(t)
			args := append([]string{"-d", dir, "add", "--input", "parquet"}, tt.args...)
			_, errs, code := chime(t, tt.data, args...)
			if code != 1 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "chime: ") || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q: want 1 and one line with %q", code, errs, tt.want)
			}
			if out := mustChime(t, nil, "-d", dir, "read", "%"); out != "" {
				t.Errorf("rows committed: %q", out)
			}
		})
	}
	// With the decimal left out, the file imports.
	dir := newDB(t)
	mustChime(t, data, "-d", dir, "add", "--input", "parquet", "--value-columns", "v1")
	if out := mustChime(t, nil, "-d", dir, "stats", "--exact", "--json"); !strings.Contains(out, `"rows":1000`) {
		t.Errorf("stats: %s", out)
	}
}
