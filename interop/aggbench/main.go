// Command aggbench is the speed anchor of chime's aggregation: it loads
// the reference u data set (internal/benchdata, `KEY NANOS VALUE` lines)
// into a DuckDB table once, then times, in this warm process, the hourly
// avg/min/max per key that `chime read % --step 1h --agg mean,min,max`
// computes, and prints the median of several runs. With -check it also
// compares chime's output of that command (with --timestamp-nanos) with
// DuckDB's rows, value for value.
//
//	go run ./aggbench -data ../.bench/u.txt -runs 7 -check agg.txt
//
// scripts/bench.sh runs it beside chime. It lives in the interop module so
// that DuckDB stays out of chime's own go.mod.
package main

import (
	"bufio"
	"cmp"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "aggbench:", err)
		os.Exit(1)
	}
}

// row is one result row: a key's bucket and its mean, min and max.
type row struct {
	key        string
	bucket     uint64
	mean       float64
	minV, maxV uint64
}

func run() error {
	data := flag.String("data", ".bench/u.txt", "the u reference data: KEY NANOS VALUE lines")
	runs := flag.Int("runs", 7, "timed runs of the query (after one warm-up)")
	threads := flag.Int("threads", 2, "DuckDB threads")
	step := flag.Duration("step", time.Hour, "bucket width")
	check := flag.String("check", "", "chime's output of read % --step 1h --agg mean,min,max --timestamp-nanos, to compare")
	queryFlag := flag.String("query", "", "time this query instead (its result must have the same five columns); {step} is the step in ns")
	flag.Parse()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("SET threads = %d", *threads)); err != nil {
		return err
	}
	start := time.Now()
	load := fmt.Sprintf(`CREATE TABLE u AS SELECT * FROM read_csv(%s, delim = ' ', header = false,
		columns = {'key': 'VARCHAR', 'ts': 'UBIGINT', 'v': 'UINTEGER'})`, quote(*data))
	if _, err := db.Exec(load); err != nil {
		return fmt.Errorf("load %s: %w", *data, err)
	}
	fmt.Printf("duckdb: loaded %s in %.2f s\n", *data, time.Since(start).Seconds())
	if *queryFlag == "" {
		*queryFlag = defaultQuery
	}
	query := strings.ReplaceAll(*queryFlag, "{step}", strconv.FormatInt(step.Nanoseconds(), 10))
	var times, cpus []time.Duration
	var rows []row
	for i := range *runs + 1 {
		t, cpu := time.Now(), cpuTime()
		if rows, err = fetch(db, query); err != nil {
			return err
		}
		if i > 0 { // the first run warms up
			times, cpus = append(times, time.Since(t)), append(cpus, cpuTime()-cpu)
		}
	}
	slices.Sort(times)
	slices.Sort(cpus)
	fmt.Printf("duckdb: hourly avg/min/max per key GROUP BY, warm: median %.3f s of %d (min %.3f, max %.3f), CPU %.3f s, %d rows\n",
		times[len(times)/2].Seconds(), len(times), times[0].Seconds(), times[len(times)-1].Seconds(), cpus[len(cpus)/2].Seconds(), len(rows))
	if *check != "" {
		return compare(rows, *check)
	}
	return nil
}

// defaultQuery is the hourly GROUP BY: the bucket start as an integer of
// nanoseconds, as chime stamps it.
const defaultQuery = `SELECT key, ts // {step} * {step} AS bucket, avg(v), min(v), max(v) FROM u GROUP BY ALL`

// cpuTime is the user and system CPU time of this process so far: on a
// shared machine it says what a run cost better than its wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// fetch runs the query and reads every row, as a client would.
func fetch(db *sql.DB, query string) ([]row, error) {
	rs, err := db.Query(query)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		var lo, hi uint32
		if err := rs.Scan(&r.key, &r.bucket, &r.mean, &lo, &hi); err != nil {
			return nil, err
		}
		r.minV, r.maxV = uint64(lo), uint64(hi)
		out = append(out, r)
	}
	return out, rs.Err()
}

// compare checks chime's rows (KEY<TAB>NANOS<TAB>MEAN MIN MAX) against
// DuckDB's, exactly.
func compare(duck []row, path string) error {
	chime, err := readChime(path)
	if err != nil {
		return err
	}
	slices.SortFunc(duck, func(a, b row) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.bucket, b.bucket)
	})
	if len(chime) != len(duck) {
		return fmt.Errorf("check: chime printed %d rows, DuckDB %d", len(chime), len(duck))
	}
	for i := range duck {
		if d, c := duck[i], chime[i]; d != c {
			return fmt.Errorf("check: row %d: chime %+v, DuckDB %+v (mean differs by %g)", i+1, c, d, c.mean-d.mean)
		}
	}
	fmt.Printf("check: chime's %d rows equal DuckDB's\n", len(chime))
	return nil
}

func readChime(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == '\t' || r == ' ' })
		if len(fields) != 5 {
			return nil, fmt.Errorf("%s: line %d: want KEY NANOS MEAN MIN MAX", path, len(out)+1)
		}
		var r row
		var errs [4]error
		r.key = fields[0]
		r.bucket, errs[0] = strconv.ParseUint(fields[1], 10, 64)
		r.mean, errs[1] = strconv.ParseFloat(fields[2], 64)
		r.minV, errs[2] = strconv.ParseUint(fields[3], 10, 64)
		r.maxV, errs[3] = strconv.ParseUint(fields[4], 10, 64)
		if err := errors.Join(errs[:]...); err != nil || math.IsNaN(r.mean) {
			return nil, fmt.Errorf("%s: line %d: %v", path, len(out)+1, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
