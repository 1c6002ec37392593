package tsdb

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/segment"
)

// segFile is one published file of a snapshot.
type segFile struct {
	name     string
	rank     int  // 0 for main, then 1, 2, ... in commit order
	included bool // a compaction output of the snapshot includes it: not read
	rf       ReadFile
	seg      *segment.Reader
}

// markerSet is the delete markers of one marker file.
type markerSet struct {
	rank    int
	markers []format.Marker
}

// Snapshot is a consistent view of a database: the files that were
// published when it was taken. Files published later are not seen, and
// files a compaction removes meanwhile stay readable until Close. Readers
// take no locks. A Snapshot is safe for concurrent reads.
type Snapshot struct {
	data    []*segFile // oldest first: main, then transactions
	markers []markerSet
	files   []*segFile // every open file, for Close
}

// maxSnapshotTries bounds how often a snapshot relists the directory
// because a compaction removed a file it was opening.
const maxSnapshotTries = 100

// Snapshot opens every live file of the database: the transaction files
// in commit order, then main last, so that a compaction finishing meanwhile
// can only make main include files already opened, never hide rows.
func (db *DB) Snapshot() (*Snapshot, error) {
	for try := 0; ; try++ {
		s, err := db.trySnapshot()
		if err == nil || !errors.Is(err, fs.ErrNotExist) || try == maxSnapshotTries {
			return s, err
		}
	}
}

func (db *DB) trySnapshot() (*Snapshot, error) {
	names, err := db.fs.List()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", db.dir, err)
	}
	s := &Snapshot{}
	for _, name := range append(transactionNames(names), MainName) {
		f, err := openFile(db.fs, name)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.files = append(s.files, f)
	}
	s.arrange()
	return s, nil
}

// transactionNames returns the transaction file names among names, in
// commit order.
func transactionNames(names []string) []string {
	var txs []string
	for _, n := range names {
		if IsTransaction(n) {
			txs = append(txs, n)
		}
	}
	slices.Sort(txs)
	return txs
}

// openFile opens the published file name.
func openFile(fsys FS, name string) (*segFile, error) {
	rf, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	seg, err := openSegment(name, rf)
	if err != nil {
		rf.Close()
		return nil, err
	}
	return &segFile{name: name, rf: rf, seg: seg}, nil
}

// openSegment opens the published file name. An empty main is the empty
// database (`touch db/main`), but a transaction file is never published
// empty: an empty one is a file torn by a power loss after a --no-sync
// commit, and reading it as "no rows" would lose them silently.
func openSegment(name string, rf ReadFile) (*segment.Reader, error) {
	if rf.Size() == 0 && name != MainName {
		return nil, fmt.Errorf("%s: %w", name, errEmptyTx)
	}
	seg, err := segment.Open(rf, rf.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return seg, nil
}

var errEmptyTx = fmt.Errorf("%w: file of 0 bytes ends at offset 0: an empty transaction file (torn by a power loss?)", segment.ErrCorrupt)

// arrange drops the files that a compaction output includes and ranks the
// rest: main first, transactions in name (= commit) order.
func (s *Snapshot) arrange() {
	main := s.files[len(s.files)-1]
	included := map[string]bool{}
	for _, f := range s.files {
		for _, n := range f.seg.Included() {
			if n != f.name { // a file never hides itself
				included[n] = true
			}
		}
	}
	s.data = append(s.data, main)
	for rank, f := range s.files[:len(s.files)-1] {
		f.rank, f.included = rank+1, included[f.name]
		if f.included {
			continue
		}
		if f.seg.Kind() == segment.KindMarkers {
			s.markers = append(s.markers, markerSet{rank: f.rank, markers: f.seg.Markers()})
		} else {
			s.data = append(s.data, f)
		}
	}
}

// Close releases the snapshot's files.
func (s *Snapshot) Close() error {
	var errs []error
	for _, f := range s.files {
		errs = append(errs, f.rf.Close())
	}
	s.files, s.data, s.markers = nil, nil, nil
	return errors.Join(errs...)
}

// Files lists the names of the live files of the snapshot, main first.
func (s *Snapshot) Files() []string {
	var names []string
	for _, f := range s.data {
		names = append(names, f.name)
	}
	return names
}
