package tsdb

import (
	"errors"
	"fmt"
	"io"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// SyncResult says what Sync did.
type SyncResult struct {
	// Copied and Bytes count the files copied; Present the live files of
	// the source that the destination held already.
	Copied, Present int
	Bytes           int64
}

// ErrDiverged is wrapped by Sync when the destination holds a file of the
// same name as one of the source but other content: it is not a copy of
// the source (someone wrote to it).
var ErrDiverged = errors.New("the destination is not a copy of the source")

// Sync copies into dst the files of a snapshot of src that dst lacks,
// compared by file ID (a file dst holds, or that a file of dst includes,
// is not copied again: published files are immutable, so copies are
// incremental). It holds dst's compaction lock, copies main first and
// then the live transactions in position order, so that dst is a valid
// database, and a prefix of src's history, at every moment; then it
// sweeps what the copies replaced, as dst's compaction would.
//
// A main keeps its generation: on an object store it is published as
// main.<G> (plain `main` for G 0), on a local directory it replaces
// `main`. A transaction keeps its name, except a local minor output (which
// took the name of the newest file it merged) whose name an object store
// already holds: it becomes the output tx.C.<g> there.
func Sync(src, dst *DB) (SyncResult, error) {
	var res SyncResult
	lock, err := dst.fs.Lock(CompactLock, true)
	if err != nil {
		return res, fmt.Errorf("lock %s in %s: %w", CompactLock, dst.fs, err)
	}
	defer lock.Release()
	snap, err := src.Snapshot()
	if err != nil {
		return res, err
	}
	defer snap.Close()
	have, err := dst.heldIDs()
	if err != nil {
		return res, err
	}
	for _, f := range append([]*segFile{snap.main}, liveFiles(snap.files)...) {
		if have[f.id()] {
			res.Present++
			continue
		}
		if err := lock.Check(); err != nil {
			return res, fmt.Errorf("lock %s in %s: %w", CompactLock, dst.fs, err)
		}
		n, err := dst.copyIn(f)
		if err != nil {
			return res, err
		}
		res.Copied++
		res.Bytes += n
	}
	after, err := dst.Snapshot()
	if err != nil {
		return res, err
	}
	defer after.Close()
	return res, dst.sweep(after)
}

// heldIDs is the IDs of the files dst holds and of those its files
// include. The zero ID (an empty main, version 1 files) is held always.
func (db *DB) heldIDs() (map[segment.ID]bool, error) {
	listing, err := db.list()
	if err != nil {
		return nil, err
	}
	held := map[segment.ID]bool{{}: true}
	for _, e := range listing {
		if parseName(e.Name).kind == kindOther {
			continue
		}
		f, err := openFile(db.fs, e.Name, e.Version)
		if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
			continue // swept meanwhile: what replaced it is listed
		}
		if err != nil {
			return nil, err
		}
		held[f.id()] = true
		for _, inc := range f.seg.Included() {
			held[inc.ID] = true
		}
		f.rf.Close()
	}
	return held, nil
}

// copyIn publishes a copy of the source file f (see Sync for its name).
func (db *DB) copyIn(f *segFile) (int64, error) {
	p, err := db.fs.Create()
	if err != nil {
		return 0, fmt.Errorf("create a file in %s: %w", db.fs, err)
	}
	defer p.Close()
	n, err := io.Copy(p, io.NewSectionReader(f.rf, 0, f.rf.Size()))
	if err != nil {
		return n, fmt.Errorf("copy %s: %w", f.name, err)
	}
	name, err := db.copyName(f)
	if err != nil {
		return n, err
	}
	if f.fn.kind == kindMain && !db.objects {
		err = p.Replace(MainName)
	} else {
		err = p.Publish(name)
	}
	if errors.Is(err, vfs.ErrExist) {
		own, oerr := db.holds(name, f.id())
		if oerr == nil && own {
			return n, nil // a retried request that had succeeded
		}
		return n, fmt.Errorf("%w: %s holds another %s", ErrDiverged, db.fs, name)
	}
	if err != nil {
		return n, fmt.Errorf("publish %s in %s: %w", name, db.fs, err)
	}
	return n, nil
}

// copyName is the name the copy of f takes in db.
func (db *DB) copyName(f *segFile) (string, error) {
	listing, err := db.list()
	if err != nil {
		return "", err
	}
	switch {
	case f.fn.kind == kindMain && db.objects:
		gen := f.seg.Generation()
		if cur, ok := newestMain(listing, true); ok && parseName(cur.Name).gen >= gen {
			return "", fmt.Errorf("%w: %s has a main of generation %d, the source's is %d", ErrDiverged, db.fs, parseName(cur.Name).gen, gen)
		}
		return mainName(gen), nil
	case f.fn.kind == kindMain:
		return MainName, nil
	}
	for _, e := range listing {
		if e.Name == f.name && db.objects && f.fn.kind == kindTx && len(f.seg.Included()) > 0 {
			// A local minor output named after its newest input, which
			// this store holds: an output name of its own here.
			return outputName(f.fn.pos, nextGeneration(listing, f.fn.pos)), nil
		}
	}
	return f.name, nil
}
