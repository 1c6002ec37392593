package tsdb

import (
	"fmt"
	"time"

	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// Clock is implemented by stores whose clock dates their objects (object
// storage): the grace period of sweep is measured on it, never on the
// local clock.
type Clock interface {
	Now() (time.Time, error)
}

// sweep removes what earlier compactions replaced and no reader needs any
// more, and the leftovers of writers that died. It runs holding the
// compaction lock, before a compaction plans, so that a new output never
// makes a leftover live again.
//
// On a local directory a file is garbage as soon as main or an output
// includes it: open handles keep it readable, and flock rules out a second
// compactor. On object storage nothing is safe to remove that a reader
// may still be reading, or that a compactor which lost its lease may still
// publish over: a file is garbage only when the newest main includes it,
// or it is an older main or an ignored output, and that main has been
// published for the grace period (by the store's clock). Inputs of minor
// outputs stay until a main includes them: a late compactor's new main can
// make such an output ignored, and its inputs must then still be there.
//
// snap is a snapshot taken under that lock: the compaction then plans on
// it (what sweep removes is not live in it), so that the files are not
// opened twice (on object storage, a request each).
func (db *DB) sweep(snap *Snapshot) error {
	if s, ok := db.fs.(vfs.Sweeper); ok {
		if err := s.RemoveStale(); err != nil {
			return fmt.Errorf("remove stale files in %s: %w", db.fs, err)
		}
	}
	var garbage []string
	var err error
	if db.objects && !broken.eagerSweep {
		garbage, err = db.expired(snap)
		if err != nil {
			return err
		}
	} else {
		for _, f := range snap.files {
			if !f.live() {
				garbage = append(garbage, f.name)
			}
		}
	}
	if err := db.fs.Remove(garbage...); err != nil {
		return fmt.Errorf("remove replaced files: %w", err)
	}
	return nil
}

// expired lists the garbage of an object store whose grace period has
// passed.
func (db *DB) expired(snap *Snapshot) ([]string, error) {
	mainEntry, _ := newestMain(snap.listing, true)
	if !db.graceOver(mainEntry.ModTime) {
		return nil, nil
	}
	inc := includeSet{}
	inc.add(snap.main.name, snap.main.seg.Included())
	var garbage []string
	for _, f := range snap.files {
		if f.ignored || inc.has(f.name, f.id()) {
			garbage = append(garbage, f.name)
		}
	}
	for _, e := range snap.listing {
		if fn := parseName(e.Name); fn.kind == kindMain && e.Name != mainEntry.Name {
			garbage = append(garbage, e.Name)
		}
	}
	return garbage, nil
}

// graceOver reports whether the grace period has passed since t, by the
// store's clock when it has one.
func (db *DB) graceOver(t time.Time) bool {
	now := time.Now()
	if c, ok := db.fs.(Clock); ok {
		var err error
		if now, err = c.Now(); err != nil {
			return false // unknown: remove nothing this time
		}
	}
	return now.Sub(t) >= db.opts.Grace
}
