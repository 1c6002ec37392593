// Package extsort sorts rows that come in any order (add --unsorted,
// serve's PUT) into the (key, time) order a transaction needs, with
// bounded memory: rows gather in memory up to a budget, each full run is
// sorted (a counting sort by key, then by time within a key, which input
// ordered by time needs nothing for) and spilled to a temporary file, and
// the runs are k-way merged at the end. Of two rows with the same key and
// time, the later in the input wins, or, with RejectDuplicates, the
// repeat is an error naming both rows' positions.
//
// Spill files are created in Options.Dir and unlinked at once, so that
// nothing is left behind whatever happens to the process; they hold the
// runs uncompressed (see source.go), written and read back once, in order.
//
// Memory: Options.Memory (add --sort-memory, serve --sort-memory; 64 MiB
// by default) bounds the estimated bytes of the rows held: two runs of
// half of it each, one filling while the other is sorted and spilled.
// The 10M-row reference data ordered by time sorts in about 150 MiB of
// RSS with the default, the Go heap's slack included.
package extsort
