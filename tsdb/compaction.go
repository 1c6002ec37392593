package tsdb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/chime-tsdb/chime/format/segment"
)

// This file holds the mechanisms compaction needs from a database
// directory; package compact decides what to merge.

// LockCompaction takes the compaction lock (.compact). Without wait it
// fails at once with ErrLocked when another compaction runs. Hard-link
// backups take the same lock: flock db/.compact cp -al db backup/.
func (db *DB) LockCompaction(wait bool) (io.Closer, error) {
	l, err := db.fs.Lock(CompactLock, wait)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", CompactLock, err)
	}
	return l, nil
}

// LockedSnapshot takes a snapshot while holding the commit lock, so that
// no commit or publish is half done; transactions committed afterwards get
// names above every file of the snapshot.
func (db *DB) LockedSnapshot() (*Snapshot, error) {
	lock, err := db.lockCommit()
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	return db.Snapshot()
}

// RemoveLeftovers removes the transaction files that main or a
// minor-compaction output already includes (left by a compaction that was
// interrupted after publishing), and stale temporary files, then syncs the
// directory, so that a new main can never make a leftover live again. Call
// it holding the compaction lock.
func (db *DB) RemoveLeftovers() error {
	names, err := db.fs.List()
	if err != nil {
		return fmt.Errorf("list %s: %w", db.dir, err)
	}
	included, err := db.includedBy(names)
	if err != nil {
		return err
	}
	var leftovers []string
	for _, n := range names {
		if included[n] {
			leftovers = append(leftovers, n)
		}
	}
	db.removeStaleTemps(names, "")
	return db.RemoveFiles(leftovers)
}

// includedBy returns the names that main or any transaction file includes,
// leaving out the files that include them (a file never includes itself).
func (db *DB) includedBy(names []string) (map[string]bool, error) {
	included := map[string]bool{}
	for _, n := range append(transactionNames(names), MainName) {
		inc, err := db.readIncluded(n)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, i := range inc {
			if i != n {
				included[i] = true
			}
		}
	}
	return included, nil
}

// readIncluded returns the included list of the published file name.
func (db *DB) readIncluded(name string) ([]string, error) {
	f, err := openFile(db.fs, name)
	if err != nil {
		return nil, err
	}
	defer f.rf.Close()
	return f.seg.Included(), nil
}

// RemoveFiles removes published files that a compaction output now
// includes, then syncs the directory. A name already gone is fine.
func (db *DB) RemoveFiles(names []string) error {
	for _, n := range names {
		if err := db.fs.Remove(n); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", n, err)
		}
	}
	if len(names) > 0 && !db.opts.NoSync {
		return db.fs.SyncDir()
	}
	return nil
}

// BeginOutput starts a compaction output: a data transaction whose footer
// lists the files it includes. Publish it with Tx.Replace.
func (db *DB) BeginOutput(included []string) (*Tx, error) {
	tx, err := db.begin(segment.KindData)
	if err != nil {
		return nil, err
	}
	tx.w.SetIncluded(included)
	return tx, nil
}

// Replace finishes a compaction output and publishes it by renaming it
// over name (main, or the newest transaction it merges, whose place in
// commit order it takes), under the commit lock, and syncs the directory.
// Readers holding the old file keep reading it.
func (tx *Tx) Replace(name string) error {
	if tx.err != nil {
		tx.Rollback()
		return tx.err
	}
	tmp := tx.f.Name()
	err := tx.finish()
	if err == nil {
		err = tx.db.replace(tmp, name)
	}
	if err != nil {
		tx.db.fs.Remove(tmp)
	}
	return errors.Join(err, tx.f.Close())
}

func (db *DB) replace(tmp, name string) error {
	lock, err := db.lockCommit()
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := db.fs.Rename(tmp, name); err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	if db.opts.NoSync {
		return nil
	}
	return db.fs.SyncDir()
}

// FileInfo describes one live file of a snapshot.
type FileInfo struct {
	Name string
	Kind segment.Kind
	Size int64
	Rows uint64 // rows stored in its blocks (before merging)
}

// Main describes the snapshot's main file.
func (s *Snapshot) Main() FileInfo { return s.data[0].info() }

// Transactions lists the snapshot's live transaction files, data and
// markers, in commit order.
func (s *Snapshot) Transactions() []FileInfo {
	var out []FileInfo
	for _, f := range s.files[:len(s.files)-1] {
		if !f.included {
			out = append(out, f.info())
		}
	}
	return out
}

func (f *segFile) info() FileInfo {
	return FileInfo{Name: f.name, Kind: f.seg.Kind(), Size: f.seg.Size(), Rows: f.seg.Rows()}
}

// WithoutMain is a view of the snapshot without main: the transactions
// alone, as a minor compaction merges them. It shares the snapshot's files;
// close only the original.
func (s *Snapshot) WithoutMain() *Snapshot {
	return &Snapshot{data: s.data[1:], markers: s.markers}
}

// IsTransaction reports whether name is a transaction file name.
func IsTransaction(name string) bool {
	_, ok := txNumber(name)
	return ok
}

// Free is the space available in the database's file system, in bytes.
func (db *DB) Free() (uint64, error) { return db.fs.Free() }
