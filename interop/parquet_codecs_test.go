package interop_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sourceTable is a table of every type chime maps, with rows of several
// widths (nulls at their ends), high- and low-cardinality strings (so
// that DuckDB writes dictionaries and falls back from them), several row
// groups and pages. Times are whole microseconds: DuckDB reads chime's
// nanoseconds in microseconds.
const sourceTable = `CREATE TABLE src AS SELECT
	'sensor.' || (i // 1000)::VARCHAR AS k,
	TIMESTAMP '2020-01-01' + INTERVAL (i % 1000 * 1337) MICROSECOND AS t,
	(i * 7 - 50000)::INTEGER AS a,
	CASE WHEN i % 4 <> 2 THEN (i * 1000003 - 5000000000)::BIGINT END AS b,
	CASE WHEN i % 4 <> 2 THEN (i * 13)::UINTEGER END AS c,
	CASE WHEN i % 4 NOT IN (1, 2) THEN (i / 8.0)::FLOAT END AS d,
	CASE WHEN i % 4 NOT IN (1, 2) THEN (i * 0.1)::DOUBLE END AS e,
	CASE WHEN i % 4 NOT IN (1, 2) THEN md5(i::VARCHAR) END AS f,
	CASE WHEN i % 4 NOT IN (1, 2) THEN ('color ' || (i % 3)::VARCHAR) END AS g,
	CASE WHEN i % 4 = 0 THEN encode(md5(i::VARCHAR))::BLOB END AS h,
	CASE WHEN i % 4 = 0 THEN i % 5 = 0 END AS bool
FROM range(12000) r(i) ORDER BY k, t`

// TestParquet_ChimeReadsDuckDBCodecs imports the files DuckDB writes with
// each compression it offers and both Parquet versions (V2: data pages v2,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, BYTE_STREAM_SPLIT), exports
// them again, and has DuckDB compare what comes back with its table.
func TestParquet_ChimeReadsDuckDBCodecs(t *testing.T) {
	db := duck(t)
	execSQL(t, db, sourceTable)
	tmp := t.TempDir()
	encodings := map[string]bool{}
	for _, version := range []string{"V1", "V2"} {
		for _, codec := range []string{"uncompressed", "snappy", "gzip", "zstd", "lz4", "brotli"} {
			t.Run(version+"/"+codec, func(t *testing.T) {
				in := filepath.Join(tmp, version+codec+".parquet")
				execSQL(t, db, fmt.Sprintf(`COPY src TO '%s' (FORMAT parquet, COMPRESSION %s, PARQUET_VERSION %s, ROW_GROUP_SIZE 4096)`, in, codec, version))
				for _, e := range query(t, db, `SELECT DISTINCT encodings FROM parquet_metadata(?)`, in) {
					encodings[version+" "+e] = true
				}
				data, _ := os.ReadFile(in)
				dir := newDB(t)
				mustChime(t, data, "-d", dir, "add", "--input", "parquet", "--key-column", "k", "--time-column", "t")
				back := filepath.Join(tmp, version+codec+".back.parquet")
				mustChime(t, nil, "-d", dir, "read", "%", "-o", "parquet", "--output-file", back)
				checkSame(t, db, back)
			})
		}
	}
	var seen []string
	for e := range encodings {
		seen = append(seen, e)
	}
	all := strings.Join(seen, ",")
	for _, want := range []string{"RLE_DICTIONARY", "DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT", "DELTA_LENGTH_BYTE_ARRAY"} {
		if !strings.Contains(all, want) {
			t.Errorf("DuckDB wrote no %s page (encodings %s): the test no longer covers it", want, all)
		}
	}
}

// checkSame compares chime's export back with the source table, both
// ways, and their row counts.
func checkSame(t *testing.T, d *sql.DB, back string) {
	t.Helper()
	cols := `k, epoch_us(t), a, b, c, d, e, f, g, h, bool::UINTEGER`
	backCols := `key, epoch_us(ts), v1, v2, v3, v4, v5, v6, v7, v8, v9`
	for _, q := range []string{
		fmt.Sprintf(`SELECT count(*) FROM (SELECT %s FROM src EXCEPT ALL SELECT %s FROM read_parquet(?))`, cols, backCols),
		fmt.Sprintf(`SELECT count(*) FROM (SELECT %s FROM read_parquet(?) EXCEPT ALL SELECT %s FROM src)`, backCols, cols),
	} {
		equalLines(t, "rows that differ", query(t, d, q, back), []string{"0"})
	}
	equalLines(t, "rows", query(t, d, `SELECT count(*) FROM read_parquet(?)`, back), []string{"12000"})
}
