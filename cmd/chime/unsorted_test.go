package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestAddUnsorted_ManyRuns adds a log ordered by time with the smallest
// sort budget, so that it spills far more runs than are merged at once
// (merged 32 at a time as they come, then the rest), with repeated
// rows, and checks the database against a sorted add of the same rows,
// the later of two repeated lines kept.
func TestAddUnsorted_ManyRuns(t *testing.T) {
	const keys, times = 300, 400
	var log strings.Builder
	last := make([][times]int, keys) // the value each key and time ends with
	line := func(k, ts, v int) {
		fmt.Fprintf(&log, "k%03d %d %d\n", k, ts, v)
		last[k][ts] = v
	}
	for ts := range times {
		for k := range keys {
			line((k*7)%keys, ts, ts*keys+k)
		}
		if ts%50 == 7 && ts > 40 {
			// A repeat of a row 40 times back, of an earlier group of
			// 32 runs now and then (the input makes 83 runs, a group
			// about 155 of its times): the later line wins.
			line(1, ts-40, 99)
		}
	}
	var sorted strings.Builder
	for k := range keys {
		for ts := range times {
			fmt.Fprintf(&sorted, "k%03d %d %d\n", k, ts, last[k][ts])
		}
	}
	want := newDB(t)
	chime(t, sorted.String(), "-d", want, "add", "-f", "u")
	got := newDB(t)
	chime(t, log.String(), "-d", got, "add", "-f", "u", "--unsorted", "--sort-memory", "64K")
	if g, w := readAll(t, got), readAll(t, want); g != w {
		t.Fatalf("add --unsorted gave %d bytes of rows, the sorted add %d: not the same rows", len(g), len(w))
	}
}
