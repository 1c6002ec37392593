// Command parquetbench is the DuckDB side of scripts/bench.sh's Parquet
// export figure: it loads the reference rows (add input, `KEY NANOS
// VALUE`) into a DuckDB table of its own, then times COPY ... TO
// 'x.parquet' (FORMAT parquet) in the same warm process, with 2 threads as
// DESIGN.md's speed anchors, and prints the median and the file's size:
//
//	parquetbench -data .bench/u.txt -runs 5 -out /tmp/duck.parquet
package main

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	data := flag.String("data", "", "the reference rows, `KEY NANOS VALUE` lines")
	runs := flag.Int("runs", 5, "timed runs of the COPY")
	out := flag.String("out", "", "the Parquet file to write (default: in $TMPDIR)")
	flag.Parse()
	if err := run(*data, *runs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "parquetbench:", err)
		os.Exit(1)
	}
}

func run(data string, runs int, out string) error {
	if data == "" || runs < 1 {
		return errors.New("give -data FILE and -runs N >= 1")
	}
	if out == "" {
		out = os.TempDir() + "/parquetbench.parquet"
		defer os.Remove(out)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{
		"SET threads TO 2",
		// The same types as chime's file: a nanosecond timestamp, an
		// unsigned 32-bit value.
		fmt.Sprintf(`CREATE TABLE t AS SELECT key, make_timestamp_ns(ts) AS ts, v1 FROM read_csv('%s', delim = ' ', header = false,
			columns = {'key': 'VARCHAR', 'ts': 'BIGINT', 'v1': 'UINTEGER'})`, data),
	} {
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	var times []time.Duration
	for range runs {
		start := time.Now()
		if _, err := db.Exec(fmt.Sprintf("COPY t TO '%s' (FORMAT parquet)", out)); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("duckdb COPY t TO parquet: median %.3fs (min %.3fs, max %.3fs, n=%d), %.1f MiB\n",
		times[len(times)/2].Seconds(), times[0].Seconds(), times[len(times)-1].Seconds(), runs, float64(fi.Size())/(1<<20))
	return nil
}
