// Package vfs is the storage seam of a chime database: the few operations
// the commit protocol needs, which a local directory, an object store and
// the crash-able in-memory twin of the tests (vfs/memfs) all implement.
//
// A store is a flat namespace of immutable objects:
//
//   - List names every object with a Version (a local file's identity, an
//     S3 ETag);
//   - Open reads an object pinned to the version listed: an object replaced
//     or removed meanwhile is an error (ErrChanged, ErrNotExist), never
//     other bytes;
//   - Create, write, then Publish under a name only if the name is free
//     (create-if-absent: link(2) locally, If-None-Match on S3); losing that
//     race leaves the bytes ready to publish under another name; Close
//     without publishing leaves nothing visible;
//   - Remove deletes;
//   - Lock is a lease (flock locally, an expiring object on S3);
//     free space and the sweeping of abandoned writes are optional
//     (Freer, Sweeper).
//
// # What snapshots rely on
//
// A File stays readable, with the same bytes, until it is closed, as long
// as its object is not removed: every store guarantees that objects are
// never modified in place. Whether it stays readable after its object is
// removed is Caps.KeepOpen: on POSIX an open file keeps its inode (and a
// replaced `main` its old inode), so a compaction may remove the files it
// replaced at once; on object storage a removed object is gone, so the
// database removes replaced objects only after a grace period, and a read
// that outlives it fails with a clear error, never with wrong rows.
//
// No correctness argument of the protocol rests on a clock: leases expire
// and grace periods end only to bound waiting and garbage.
package vfs
