// Command parquetbench is the DuckDB side of scripts/bench.sh's Parquet
// export figure: it loads the reference rows (add input, `KEY NANOS
// VALUE`) into a DuckDB table of its own, then times COPY ... TO
// 'x.parquet' (FORMAT parquet) in the same warm process, with 2 threads as
// the README's speed anchors, and prints the median and the file's size:
//
//	parquetbench -data .bench/u.txt -runs 5 -out /tmp/duck.parquet
//
// With -chime 'bin/chime -d db read % -o parquet', it runs that command (a
// whole process, stdout to -chime-out) before each COPY and prints its
// median too: on a shared machine the two then see the same load.
package main

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	data := flag.String("data", "", "the reference rows, `KEY NANOS VALUE` lines")
	runs := flag.Int("runs", 5, "timed runs of the COPY")
	out := flag.String("out", "", "the Parquet file to write (default: in $TMPDIR)")
	chime := flag.String("chime", "", "a command to time before each COPY (split at spaces)")
	chimeOut := flag.String("chime-out", os.DevNull, "where that command's stdout goes")
	flag.Parse()
	if err := run(*data, *runs, *out, *chime, *chimeOut); err != nil {
		fmt.Fprintln(os.Stderr, "parquetbench:", err)
		os.Exit(1)
	}
}

func run(data string, runs int, out, chime, chimeOut string) error {
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
	var times, chimeTimes []time.Duration
	for range runs {
		if chime != "" {
			d, err := timeCommand(chime, chimeOut)
			if err != nil {
				return err
			}
			chimeTimes = append(chimeTimes, d)
		}
		start := time.Now()
		if _, err := db.Exec(fmt.Sprintf("COPY t TO '%s' (FORMAT parquet)", out)); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	report("duckdb COPY t TO parquet", times, fi.Size())
	if chime != "" {
		size := int64(-1)
		if fi, err := os.Stat(chimeOut); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		report("chime read % -o parquet, between them", chimeTimes, size)
	}
	return nil
}

// report prints the median, the extremes and the file size.
func report(label string, times []time.Duration, size int64) {
	slices.Sort(times)
	fmt.Printf("%s: median %.3fs (min %.3fs, max %.3fs, n=%d)", label,
		times[len(times)/2].Seconds(), times[0].Seconds(), times[len(times)-1].Seconds(), len(times))
	if size >= 0 {
		fmt.Printf(", %.1f MiB", float64(size)/(1<<20))
	}
	fmt.Println()
}

// timeCommand runs cmdline as a whole process, stdout to out.
func timeCommand(cmdline, out string) (time.Duration, error) {
	args := strings.Fields(cmdline)
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = f, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w", cmdline, err)
	}
	return time.Since(start), nil
}
