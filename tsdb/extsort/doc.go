// Package extsort sorts rows that come in any order (add --unsorted,
// serve's PUT) into the (key, time) order a transaction needs, with
// bounded memory: rows gather in memory up to a budget, each full run is
// sorted and spilled to a temporary file, and the runs are k-way merged at
// the end. A run keeps each key's rows in the stretches they came in (the
// parsers gather rows by key) and sorts its keys; only a key whose rows
// are out of time order is sorted row by row, which input ordered by time
// never needs. Of two rows with the same key and time, the later in the
// input wins, or, with RejectDuplicates, the repeat is an error naming
// both rows' positions.
//
// Spill files are created in Options.Dir and unlinked at once, so that
// nothing is left behind whatever happens to the process; they hold the
// runs uncompressed (see source.go). At most 32 runs are merged at once,
// each read through a 256 KiB buffer: every 32 spill files of a level are
// merged into one of the next as the input comes, and what is left over 31
// at the end is merged down first, so that an input of any length keeps a
// few dozen files open and reads them within a few MiB (a row is rewritten
// once a level: 32 runs, then 1,024, ...).
//
// Memory: Options.Memory (add --sort-memory, serve --sort-memory; 64 MiB
// by default) bounds the estimated bytes of the rows held: two runs of
// half of it each, one filling while the other is sorted and spilled.
// A row of one integer column takes 24 bytes of it (time, value, and room
// for a sort), so a run of the default holds 1.4M of them. The 10M-row
// reference data ordered by time sorts in about 90 MiB of RSS with the
// default, the Go heap's slack included.
package extsort
