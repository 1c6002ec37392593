package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

type statsOptions struct {
	bounds
	exact, json bool
}

func newStatsCmd(g *globals) *cobra.Command {
	o := &statsOptions{}
	cmd := &cobra.Command{
		Use:   "stats [FILTER...]",
		Short: "Print keys, rows, first and last time, and the files of the database",
		Long: "Print how many keys and rows the FILTERs and bounds select (everything without\n" +
			"them), their first and last timestamps, and the database's files with their kinds\n" +
			"and sizes. Rows come from block headers, an upper bound where overwrites, deletes\n" +
			"or time bounds may hide some (it says so); --exact decodes and counts them.",
		RunE: runE(func(cmd *cobra.Command, a []string) error {
			return runStats(cmd, g, o, a)
		}),
	}
	o.bounds.register(cmd)
	cmd.Flags().BoolVar(&o.exact, "exact", false, "decode and count the rows instead of reading block headers")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

func runStats(cmd *cobra.Command, g *globals, o *statsOptions, filters []string) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	sel, err := o.selector(cmd, filters)
	if err != nil {
		return err
	}
	snap, err := g.openSnapshot(dir)
	if err != nil {
		return err
	}
	defer snap.Close()
	st, err := snap.Stats(sel, tsdb.StatsOptions{Exact: o.exact})
	if err != nil {
		return err
	}
	var out []byte
	if o.json {
		out, err = statsJSON(st)
	} else {
		out, err = statsText(st)
	}
	if err != nil {
		return err
	}
	return newStdout().write(out)
}

// jsonStats is the --json schema.
type jsonStats struct {
	Keys           int        `json:"keys"`
	Rows           uint64     `json:"rows"`
	Exact          bool       `json:"exact"`       // false: rows is an upper bound
	TimesExact     bool       `json:"times_exact"` // false: first is at most, last at least the true one
	First          *uint64    `json:"first"`       // null without rows
	FirstTime      *string    `json:"first_time"`
	Last           *uint64    `json:"last"`
	LastTime       *string    `json:"last_time"`
	Bytes          int64      `json:"bytes"`
	StoredRows     uint64     `json:"stored_rows"`
	BytesPerSample float64    `json:"bytes_per_sample"`
	Files          []jsonFile `json:"files"`
}

type jsonFile struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Size int64  `json:"size"`
	Rows uint64 `json:"rows"`
}

func statsJSON(st *tsdb.Stats) ([]byte, error) {
	js := jsonStats{Keys: st.Keys, Rows: st.Rows, Exact: st.Exact, TimesExact: st.TimesExact, Bytes: st.Bytes(),
		StoredRows: st.StoredRows(), BytesPerSample: st.BytesPerSample(), Files: []jsonFile{}}
	if st.Rows > 0 {
		first, last := rfc3339(st.First), rfc3339(st.Last)
		js.First, js.FirstTime, js.Last, js.LastTime = &st.First, &first, &st.Last, &last
	}
	for _, f := range st.Files {
		js.Files = append(js.Files, jsonFile{Name: f.Name, Kind: f.Kind.String(), Size: f.Size, Rows: f.Rows})
	}
	out, err := json.Marshal(js)
	return append(out, '\n'), err
}

func rfc3339(ns uint64) string { return string(timefmt.AppendRFC3339(nil, ns)) }

// statsText is the text output: one "label value" line each, then one
// line per file.
func statsText(st *tsdb.Stats) ([]byte, error) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "keys\t%d\n", st.Keys)
	if st.Exact {
		fmt.Fprintf(tw, "rows\t%d\n", st.Rows)
	} else {
		fmt.Fprintf(tw, "rows\tat most %d (from block headers: overwritten, deleted or out-of-bounds rows may count; --exact counts them)\n", st.Rows)
	}
	printBound(tw, "first", st.First, st.Rows, st.TimesExact, " or later")
	printBound(tw, "last", st.Last, st.Rows, st.TimesExact, " or earlier")
	fmt.Fprintf(tw, "size\t%d bytes in %d files, %d stored rows, %.2f bytes/sample\n",
		st.Bytes(), len(st.Files), st.StoredRows(), st.BytesPerSample())
	for _, f := range st.Files {
		fmt.Fprintf(tw, "file\t%s\t%s\t%d bytes\t%d rows\n", f.Name, f.Kind, f.Size, f.Rows)
	}
	err := tw.Flush()
	return buf.Bytes(), err
}

// printBound prints a timestamp line; inexact ones say which way they may
// be off.
func printBound(w io.Writer, label string, ns, rows uint64, exact bool, off string) {
	switch {
	case rows == 0:
		fmt.Fprintf(w, "%s\t-\n", label)
	case exact:
		fmt.Fprintf(w, "%s\t%s (%d)\n", label, rfc3339(ns), ns)
	default:
		fmt.Fprintf(w, "%s\t%s (%d)%s\n", label, rfc3339(ns), ns, off)
	}
}
