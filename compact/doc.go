// Package compact merges a database's files: a minor compaction folds the
// transaction files into one, a major compaction folds main and every
// transaction into a new main, applying delete markers; either may stream
// every row through a shell filter (--gegnum) that rewrites the database.
//
// Compaction never modifies a published file: it writes its output to a
// locked temporary file, fsyncs it, renames it over its target under the
// commit lock, fsyncs the directory, and only then removes the inputs it
// includes (its footer names them, so a leftover input is never read
// twice). Interrupted at any point, the database reads exactly as before or
// exactly as after. Readers and writers never wait for it.
package compact
