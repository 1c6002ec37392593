package tsdb

import (
	"errors"
	"fmt"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// ErrOutcomeUnknown is wrapped when a commit failed after its file may
// have been published: the publication's reply was lost and reading the
// name failed too, or the listing that confirms it failed. Its rows may
// be in the database (on object storage a write the server applied
// stays applied though no reply came): read them before committing them
// again.
var ErrOutcomeUnknown = errors.New("the commit's outcome is unknown")

// unknownOutcome is an error after which a commit may have been
// published: its message is the cause's, and it wraps ErrOutcomeUnknown.
type unknownOutcome struct{ err error }

func (e *unknownOutcome) Error() string   { return e.err.Error() }
func (e *unknownOutcome) Unwrap() []error { return []error{e.err, ErrOutcomeUnknown} }

// maxPublishTries bounds the attempts of one commit to find a free
// position: each failed one means another writer published meanwhile.
const maxPublishTries = 1000

// publish gives the finished transaction p (whose file ID is id) the next
// position, without any lock shared by writers:
//
//  1. list, and take N = 1 + the highest position the database has used:
//     listed transactions and outputs, and the newest main's high-water
//     mark (see nextPosition);
//  2. publish create-if-absent as tx.N; if the name is taken, list again
//     (unless the name holds p's own file: a request retried after an
//     unknown outcome);
//  3. list again before acknowledging: if an output (a file with an
//     included list) at a position at or after N, or a main whose
//     high-water mark reaches N, exists that does not include this file,
//     a compaction merged
//     a file of that name that was not this one (this writer's listing
//     was stale), and this file would sort before rows committed before
//     it. Publish it again under a fresh number: the stranded copy only
//     repeats the same effect.
//
// Name order is then commit order: a commit acknowledged before another
// started has a lower position, whatever the clocks say.
func (db *DB) publish(p vfs.Pending, id segment.ID) (string, error) {
	for try := 0; try < maxPublishTries; try++ {
		listing, err := db.list()
		if err != nil {
			return "", err
		}
		n, err := db.nextPosition(listing)
		if err != nil {
			return "", err
		}
		name := txName(n)
		if err := p.Publish(name); err != nil {
			own, ownErr := db.holds(name, id)
			if ownErr != nil {
				return "", &unknownOutcome{errors.Join(err, ownErr)}
			}
			if !own && errors.Is(err, vfs.ErrExist) {
				continue // another writer took the position
			}
			if !own {
				return "", err
			}
		}
		if broken.noConfirm {
			return name, nil
		}
		overtaken, err := db.confirm(name, n, id)
		if err != nil {
			return "", &unknownOutcome{err} // published, perhaps visible
		}
		if !overtaken {
			return name, nil
		}
	}
	return "", fmt.Errorf("publish in %s: no free position after %d tries (too many concurrent writers?)", db.fs, maxPublishTries)
}

func (db *DB) list() ([]vfs.Entry, error) {
	listing, err := db.fs.List()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", db.fs, err)
	}
	return listing, nil
}

// nextPosition is 1 + the highest position the database has used: of the
// listed transactions and outputs, and the newest main's high-water mark,
// which covers the transactions it merged and removed.
func (db *DB) nextPosition(listing []vfs.Entry) (uint64, error) {
	var n uint64
	for _, e := range listing {
		if fn := parseName(e.Name); fn.kind == kindTx || fn.kind == kindOutput {
			n = max(n, fn.pos)
		}
	}
	main, ok := newestMain(listing, db.objects)
	if !ok {
		return 0, fmt.Errorf("%w: %s has no %q (create one with: chime init %s)", ErrNotDatabase, db.fs, MainName, db.loc)
	}
	hwm, err := db.highWater(main)
	if err != nil {
		return 0, err
	}
	return max(n, hwm) + 1, nil
}

// highWater reads a main's high-water mark. A version 1 main has none: the
// highest position of its included list stands for it.
func (db *DB) highWater(e vfs.Entry) (uint64, error) {
	name, v := e.Name, e.Version
	if !db.objects {
		v = "" // replaced by rename: whichever main is there now
	}
	f, err := openFile(db.fs, name, v)
	if err != nil {
		return 0, err
	}
	defer f.rf.Close()
	return highWaterOf(f.seg), nil
}

// highWaterOf is a main's high-water mark, or the highest position its
// included list names (version 1).
func highWaterOf(seg *segment.Reader) uint64 {
	hwm := seg.HighWater()
	for _, inc := range seg.Included() {
		if fn := parseName(inc.Name); fn.kind == kindTx || fn.kind == kindOutput {
			hwm = max(hwm, fn.pos)
		}
	}
	return hwm
}

// holds reports whether name holds the file of ID id now: how a writer
// tells its own publication, applied by a request whose reply was lost,
// from another writer's.
func (db *DB) holds(name string, id segment.ID) (bool, error) {
	f, err := openFile(db.fs, name, "")
	if errors.Is(err, vfs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.rf.Close()
	return f.id() == id, nil
}

// confirm reports whether the file (name, id), just published at position
// n, was overtaken (see publish), listing again while outputs vanish under
// it.
func (db *DB) confirm(name string, n uint64, id segment.ID) (bool, error) {
	for try := 0; ; try++ {
		overtaken, err := db.overtaken(name, n, id)
		if !errors.Is(err, errRelist) || try == maxPublishTries {
			return overtaken, err
		}
	}
}

// overtaken reports whether a compaction merged another file of the name
// (see publish): an output at a position at or after n, or a main whose
// high-water mark reaches n, that does not include the file (name, id).
// An output that vanishes before it is read was merged into a newer one,
// perhaps not listed: errRelist.
func (db *DB) overtaken(name string, n uint64, id segment.ID) (bool, error) {
	listing, err := db.list()
	if err != nil {
		return false, err
	}
	if over, err := db.mainOvertakes(listing, name, n, id); over || err != nil {
		return over, err
	}
	for _, e := range listing {
		fn := parseName(e.Name)
		if !IsTransaction(e.Name) || fn.pos < n || e.Name == name || db.objects && fn.kind != kindOutput {
			continue // object stores name their outputs tx.C.g
		}
		f, err := openFile(db.fs, e.Name, e.Version)
		if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
			return false, fmt.Errorf("%w: %s", errRelist, e.Name)
		}
		if err != nil {
			return false, err
		}
		inc := includeSet{}
		inc.add(f.name, f.seg.Included())
		f.rf.Close()
		if len(inc) > 0 && !inc.has(name, id) {
			return true, nil // an output, named tx.C locally or tx.C.g
		}
	}
	return false, nil
}

// mainOvertakes reports whether the newest main holds position n without
// holding the file (name, id): it merged another file of that name, which
// a reader could take this one for.
func (db *DB) mainOvertakes(listing []vfs.Entry, name string, n uint64, id segment.ID) (bool, error) {
	e, ok := newestMain(listing, db.objects)
	if !ok {
		return false, fmt.Errorf("%w: %s has no %q", ErrNotDatabase, db.fs, MainName)
	}
	v := e.Version
	if !db.objects {
		v = ""
	}
	f, err := openFile(db.fs, e.Name, v)
	if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
		return false, fmt.Errorf("%w: %s", errRelist, e.Name)
	}
	if err != nil {
		return false, err
	}
	defer f.rf.Close()
	inc := includeSet{}
	inc.add(f.name, f.seg.Included())
	return highWaterOf(f.seg) >= n && !inc.has(name, id), nil
}
