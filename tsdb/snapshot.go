package tsdb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// segFile is one opened file of a snapshot.
type segFile struct {
	name string
	fn   fileName
	rf   vfs.File
	seg  *segment.Reader
	rank int // 0 for main, then 1, 2, ... for live files in position order
	// hidden says that main or an effective output holds the file's rows:
	// it is not read.
	hidden bool
	// ignored marks an output planned on an older main that the newest
	// main does not include (a compactor that woke up late): it is not
	// read, and its inputs stay live.
	ignored bool
}

func (f *segFile) id() segment.ID { return f.seg.ID() }

// live reports whether the file's rows or markers are read.
func (f *segFile) live() bool { return !f.hidden && !f.ignored }

// markerSet is the delete markers of one marker file.
type markerSet struct {
	rank    int
	markers []format.Marker
}

// Snapshot is a consistent view of a database: the files that were
// published when it was taken. Files published later are not seen, and
// files a compaction removes meanwhile stay readable until Close (on
// object storage, for the grace period). Readers take no locks. A Snapshot
// is safe for concurrent reads.
type Snapshot struct {
	main    *segFile
	files   []*segFile // the transactions and outputs opened, in position order
	data    []*segFile // what is read: main, then live data files
	markers []markerSet
	// listing is the listing the snapshot was opened from, and vanished
	// the listed files gone before they could be opened (explained: an
	// opened file includes them).
	listing  []vfs.Entry
	vanished []string
}

// maxSnapshotWait bounds how long Snapshot keeps listing again when files
// vanish unexplained, which happens while a compaction finishes and, over
// sshfs, while the mount's cached listing is stale (about 20 s).
const maxSnapshotWait = 40 * time.Second

// Snapshot opens every live file of the database. It tolerates files
// that vanish because a compaction removed them once a file it opened
// holds their rows; any other vanishing makes it list again, with growing
// pauses, for up to maxSnapshotWait.
func (db *DB) Snapshot() (*Snapshot, error) {
	delay, waited := time.Millisecond, time.Duration(0)
	for {
		s, err := db.trySnapshot()
		if err == nil || !errors.Is(err, errRelist) || waited >= maxSnapshotWait {
			return s, err
		}
		pause(delay)
		waited += delay
		delay = min(2*delay, time.Second)
	}
}

// pause waits between attempts; the protocol's simulation test replaces it.
var pause = time.Sleep

// errRelist is wrapped when a snapshot must list again.
var errRelist = errors.New("listed files vanished")

func (db *DB) trySnapshot() (*Snapshot, error) {
	listing, err := db.fs.List()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", db.fs, err)
	}
	s, err := db.openListing(listing)
	if err != nil {
		if errors.Is(err, segment.ErrCorrupt) && db.fs.Caps().Cached {
			// A name replaced by rename may show its old size for a
			// while: the file only looks damaged.
			err = fmt.Errorf("%w: %w", errRelist, err)
		}
		return nil, err
	}
	if err := s.arrange(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openListing opens the files of a listing, each pinned to the version
// listed: main, and every transaction and output (their IDs, which say
// whether main includes them, are in their tails). What it opens is then
// the database as it was when listed, less the files removed since, which
// an opened file must include (resolve checks). On a local directory main
// is opened last, and must still be the main listed: a newer one may have
// dropped from its included list files opened earlier. On object storage
// main is the listed one of the highest generation.
func (db *DB) openListing(listing []vfs.Entry) (*Snapshot, error) {
	s := &Snapshot{listing: listing}
	mainEntry, ok := newestMain(listing, db.objects)
	if !ok {
		return nil, fmt.Errorf("%w: %s has no %q (create one with: chime init %s)", ErrNotDatabase, db.fs, MainName, db.loc)
	}
	var err error
	switch {
	case db.objects && db.fs.Caps().Remote:
		err = s.openConcurrently(db, mainEntry, sortedFiles(listing))
	case db.objects:
		err = s.openMain(db, mainEntry)
		if err == nil {
			err = s.openInOrder(db, sortedFiles(listing))
		}
	default:
		err = s.openLocal(db, mainEntry, sortedFiles(listing))
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openLocal opens the files of a local listing, then main, which must
// still be the one listed.
func (s *Snapshot) openLocal(db *DB, mainEntry vfs.Entry, entries []vfs.Entry) error {
	if err := s.openInOrder(db, entries); err != nil {
		return err
	}
	if err := s.openMain(db, vfs.Entry{Name: MainName}); err != nil {
		return err
	}
	if v := s.main.rf.Version(); v != mainEntry.Version {
		// Replaced since the listing: the files opened may be older
		// than what this main holds (two compactions may have run,
		// and its included list names only the last one's inputs).
		return fmt.Errorf("%w: %s was replaced", errRelist, MainName)
	}
	return nil
}

// openInOrder opens listed files one after the other.
func (s *Snapshot) openInOrder(db *DB, entries []vfs.Entry) error {
	for _, e := range entries {
		f, err := openFile(db.fs, e.Name, e.Version)
		if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
			s.vanished = append(s.vanished, e.Name)
			continue
		}
		if err != nil {
			return err
		}
		s.files = append(s.files, f)
	}
	return nil
}

// openConcurrency bounds the files an object-storage snapshot opens at
// once.
const openConcurrency = 8

// openConcurrently opens main and the files of a remote object-storage
// listing at once: each open is a request (a ranged GET of the file's
// tail), and the files are pinned to the versions listed, so the order of
// the opens does not matter.
func (s *Snapshot) openConcurrently(db *DB, mainEntry vfs.Entry, entries []vfs.Entry) error {
	files := make([]*segFile, len(entries))
	errs := make([]error, len(entries))
	var mainErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, openConcurrency)
	wg.Go(func() {
		sem <- struct{}{}
		defer func() { <-sem }()
		mainErr = s.openMain(db, mainEntry)
	})
	for i, e := range entries {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			files[i], errs[i] = openFile(db.fs, e.Name, e.Version)
		})
	}
	wg.Wait()
	err := mainErr
	for i, e := range entries {
		switch {
		case errs[i] == nil:
			s.files = append(s.files, files[i])
		case errors.Is(errs[i], vfs.ErrNotExist) || errors.Is(errs[i], vfs.ErrChanged):
			s.vanished = append(s.vanished, e.Name)
		case err == nil:
			err = errs[i]
		}
	}
	return err
}

func (s *Snapshot) openMain(db *DB, e vfs.Entry) error {
	f, err := openFile(db.fs, e.Name, e.Version)
	if errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged) {
		// Replaced by a newer main whose listing we missed.
		return fmt.Errorf("%w: %s: %w", errRelist, e.Name, err)
	}
	if err != nil {
		return err
	}
	if f.seg.Kind() != segment.KindData {
		f.rf.Close()
		return fmt.Errorf("%s: %w: main is a %s file, not a data file", e.Name, segment.ErrCorrupt, f.seg.Kind())
	}
	s.main = f
	return nil
}

// newestMain is the listing's main: MainName on a local directory, the
// highest generation on object storage.
func newestMain(listing []vfs.Entry, objects bool) (vfs.Entry, bool) {
	var best vfs.Entry
	var bestGen uint64
	found := false
	for _, e := range listing {
		fn := parseName(e.Name)
		if fn.kind != kindMain || (!objects && fn.gen != 0) {
			continue
		}
		if !found || fn.gen > bestGen {
			best, bestGen, found = e, fn.gen, true
		}
	}
	return best, found
}

// sortedFiles returns the transactions and outputs of a listing in
// position order.
func sortedFiles(listing []vfs.Entry) []vfs.Entry {
	var out []vfs.Entry
	for _, e := range listing {
		if IsTransaction(e.Name) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b vfs.Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// openFile opens the published file name at version v ("" for the
// current one).
func openFile(store vfs.FS, name string, v vfs.Version) (*segFile, error) {
	rf, err := store.Open(name, v)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	seg, err := openSegment(name, rf)
	if err != nil {
		rf.Close()
		return nil, err
	}
	return &segFile{name: name, fn: parseName(name), rf: rf, seg: seg}, nil
}

// openSegment opens the published file name. An empty main is the empty
// database (`touch db/main`), but a transaction file is never published
// empty: an empty one is a file torn by a power loss after a --no-sync
// commit, and reading it as "no rows" would lose them silently.
func openSegment(name string, rf vfs.File) (*segment.Reader, error) {
	if rf.Size() == 0 && parseName(name).kind != kindMain {
		return nil, fmt.Errorf("%s: %w", name, errEmptyTx)
	}
	seg, err := segment.Open(rf, rf.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return seg, nil
}

var errEmptyTx = fmt.Errorf("%w: file of 0 bytes ends at offset 0: an empty transaction file (torn by a power loss?)", segment.ErrCorrupt)

// arrange decides what is read (see resolve) and ranks it: main first,
// then the live files in position order, data and markers apart.
func (s *Snapshot) arrange() error {
	if err := resolve(s.main, s.files, s.vanished); err != nil {
		return err
	}
	s.data = append(s.data[:0], s.main)
	rank := 0
	for _, f := range s.files {
		if !f.live() {
			continue
		}
		rank++
		f.rank = rank
		if f.seg.Kind() == segment.KindMarkers {
			s.markers = append(s.markers, markerSet{rank: rank, markers: f.seg.Markers()})
		} else {
			s.data = append(s.data, f)
		}
	}
	return nil
}

// Close releases the snapshot's files.
func (s *Snapshot) Close() error {
	var errs []error
	for _, f := range s.files {
		errs = append(errs, f.rf.Close())
	}
	if s.main != nil {
		errs = append(errs, s.main.rf.Close())
	}
	s.files, s.data, s.markers, s.main = nil, nil, nil, nil
	return errors.Join(errs...)
}
