// Command gen writes the benchmark data set of the README (its "Performance"
// section) as chime add input, sorted by key then time:
//
//	go run ./internal/tools/gen -format u > u.txt               # 10M rows
//	go run ./internal/tools/gen -format u -slice 3 -slices 10   # samples [3000, 4000) of every key
//	go run ./internal/tools/gen -format u -by-time              # the same 10M rows ordered by time, keys interleaved
//	go run ./internal/tools/gen -version                        # generator version, for caches
//
// The output is deterministic: the same flags give the same bytes, and the
// slices of a data set are exactly its rows in their time ranges.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/chime-tsdb/chime/internal/benchdata"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "gen:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad flag or argument (exit status 2, not 1).
type usageError struct{ error }

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	format := fs.String("format", "u", "value format: u (integer random walk) or F (float random walk)")
	keys := fs.Int("keys", benchdata.DefaultKeys, "number of keys")
	samples := fs.Int("samples", benchdata.DefaultSamples, "samples per key, one per second")
	seed := fs.Uint64("seed", benchdata.DefaultSeed, "random seed")
	slice := fs.Int("slice", 0, "time slice to write (0-based), with -slices")
	slices := fs.Int("slices", 1, "number of equal time slices")
	out := fs.String("o", "-", "output file (- for stdout)")
	byTime := fs.Bool("by-time", false, "order the rows by time, then key (a log of every key interleaved), instead of by key")
	version := fs.Bool("version", false, "print the generator version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *version {
		_, err := fmt.Fprintf(stdout, "benchdata v%d %s\n", benchdata.Version, runtime.Version())
		return err
	}
	f, err := benchdata.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	if *keys <= 0 || *samples <= 0 || *seed == 0 {
		return usageError{errors.New("-keys, -samples and -seed must be positive")}
	}
	c := benchdata.Config{Format: f, Keys: *keys, Samples: *samples, Seed: *seed, Slice: *slice, Slices: *slices}
	if err := c.Validate(); err != nil {
		return usageError{err}
	}
	writeRows := benchdata.Write
	if *byTime {
		writeRows = benchdata.WriteByTime
	}
	if *out == "-" {
		return write(stdout, c, writeRows)
	}
	return writeFile(*out, c, writeRows)
}

// write writes c's rows to w. Write hands over chunks of a few hundred KiB,
// so the buffer only matters for tiny data sets.
func write(w io.Writer, c benchdata.Config, writeRows func(io.Writer, benchdata.Config) error) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := writeRows(bw, c); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func writeFile(name string, c benchdata.Config, writeRows func(io.Writer, benchdata.Config) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f, c, writeRows); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
