// Package tsdb is chime's engine and its embeddable Go API: open a
// database (Open, Init), write transactions (Begin, Tx, AddText, Delete),
// read consistent snapshots (Snapshot: Scan, ScanAppend, Keys, ListKeys,
// Stats, Widest), follow new commits (Follow), verify and repair (Check,
// Repair), and compact (BeginCompaction, driven by package compact).
//
// A database lives in a store (package vfs): a local directory, an object
// store, or the in-memory twin of the tests. Every file is a segment
// (package segment) and is never modified once published.
//
// # Names
//
//	main                      the main of generation 0: a local directory's
//	                          only main (replaced by rename); `chime init`'s
//	                          empty main on object storage
//	main.<16 hex G>           the main of generation G, on stores that
//	                          cannot replace a name
//	tx.<16 hex N>             a transaction (rows or delete markers) at
//	                          position N; locally also a minor-compaction
//	                          output renamed over the newest file it merged
//	tx.<16 hex C>.<16 hex g>  a minor-compaction output at position C and
//	                          generation g, on stores that cannot replace a
//	                          name: after tx.C, before tx.C+1
//
// The byte order of names is position order, and position order is commit
// order: last writer wins, and a delete marker hides the rows of the files
// before it. Other names are ignored (NAME.damaged, temporary files, the
// store's lock objects).
//
// Every file carries a random 128-bit ID. A compaction output's included
// list names (name, ID) pairs; a file is hidden only when both match, so a
// name reused by a writer with a stale listing is never hidden by mistake.
// A main carries its generation and a high-water mark: the highest
// position it holds or ever held.
//
// # Committing, without a shared lock
//
//  1. Write the file as a pending object (a locked temporary file, a local
//     spool before an upload).
//  2. List; N = 1 + the highest position used: of the listed transactions
//     and outputs, and the newest main's high-water mark.
//  3. Publish create-if-absent as tx.N (link(2) locally, If-None-Match on
//     S3). If the name is taken, list again and retry, unless the name
//     holds this very file (a retried request whose first reply was lost).
//  4. List again: if an output at a position at or after N, or a main whose
//     high-water mark reaches N, exists that does not include (tx.N, ID), a
//     compaction merged another file of that name (this writer's listing
//     was stale): publish again under a fresh number. The stranded copy
//     repeats the same effect at an earlier position, so it changes
//     nothing, and a reader that takes it for the file the compaction
//     merged (a vanished file is matched by name) loses nothing: the
//     acknowledged copy is listed too.
//  5. Only then acknowledge.
//
// A commit acknowledged before another started has the lower position:
// the later one's listing shows it (or the output or main that replaced
// it, whose position or high-water mark covers it). No clock is consulted.
//
// # Reading
//
// A snapshot lists the store and opens main and every listed transaction
// and output, pinned to the version listed (a file replaced or removed
// meanwhile is an error, never other bytes). On a local directory main is
// opened last, by name: a compaction finishing meanwhile only makes it
// include files already opened or gone. Then:
//
//   - an output planned on an older main than the newest, which the newest
//     main does not include, is ignored (a compactor that lost its lease
//     published it late), and its inputs are read instead;
//   - a file that main or an output not ignored includes is hidden;
//   - a listed file that vanished must be included by an opened file (a
//     compaction replaced it): otherwise the listing was stale (sshfs
//     caches listings for 20 s), and the snapshot lists again, with growing
//     pauses, for up to 40 s. On a FUSE mount a file that looks damaged is
//     retried alike: a name replaced by rename may show its old size.
//
// # Compacting
//
// One compaction at a time: it holds the lock CompactLock (flock locally;
// a lease on object storage, checked before publishing). It first sweeps
// what earlier compactions replaced, then plans on a snapshot:
//
//   - minor: the live data files merge into one output at the position of
//     the newest, including them and everything they hide; delete markers
//     are applied to the rows they cover but stay, since they still apply
//     to main. It records the generation of the main it was planned on.
//   - major: main and every live file merge into a new main of the next
//     generation, including every listed transaction and output, with the
//     high-water mark carried forward.
//
// Locally the output is renamed over main or over the newest input, and
// the files it includes are removed at once: open handles keep them
// readable, and flock rules out a second compactor. On object storage the
// output is published create-if-absent (main.<G+1> or tx.C.g): a paused
// compactor that wakes after another published finds the name taken and
// publishes nothing, and an output it publishes late is ignored. Replaced
// files are removed only once the newest main includes them and has been
// published for the grace period (Options.Grace), so that reads in flight
// finish and no late output's inputs are lost; a read that outlives the
// grace period fails with an error, never wrong rows.
//
// No correctness argument rests on a clock, a lease's expiry or the grace
// period: they only bound waiting and garbage.
//
// # Versions
//
// Databases written before the storage seam hold version 1 segments: time
// based transaction names, a plain main, included lists of names only
// (matching any file of the name), no high-water mark (the highest
// included position stands for it). They open and compact as they are.
// The first file published under this protocol is a version 2 segment,
// which older chime binaries refuse with a version error rather than
// misread: upgrade every host that uses a database first.
package tsdb
