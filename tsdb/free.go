package tsdb

import (
	"errors"
	"fmt"
)

// DefaultMinFree is the default Options.MinFree: a commit needs room for
// its file, and a disk filled to the last byte makes every other program
// (and the next compaction) fail too.
const DefaultMinFree = 64 << 20

// ErrDiskFull is wrapped when a transaction is refused because the free
// disk space is below Options.MinFree.
var ErrDiskFull = errors.New("not enough free disk space")

// minFree is the effective Options.MinFree in bytes (0: no check).
func (o *Options) minFree() uint64 {
	switch {
	case o.MinFree < 0:
		return 0
	case o.MinFree == 0:
		return DefaultMinFree
	}
	return uint64(o.MinFree)
}

// checkFree refuses to start a data transaction when the free disk space
// is below the floor. An unknown free space does not refuse: the writes
// will tell.
func (db *DB) checkFree() error {
	floor := db.opts.minFree()
	if floor == 0 {
		return nil
	}
	free, err := db.Free()
	if err != nil || free >= floor {
		return nil
	}
	return fmt.Errorf("%w in %s: %d bytes free, %d needed (the free-space floor)", ErrDiskFull, db.fs, free, floor)
}
