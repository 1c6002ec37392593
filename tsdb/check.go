package tsdb

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// This file holds `chime check`: a full verification of every file of a
// database, and the repair that moves damaged transaction files aside.

// ErrMainDamaged is returned by Repair when main is damaged. Repair never
// touches main, which holds every compacted row: restore it from a backup.
var ErrMainDamaged = errors.New("main is damaged")

// Problem is one thing wrong in a database directory.
type Problem struct {
	// File is the file's name in the directory.
	File string
	// Err says what is wrong. Damage wraps segment.ErrCorrupt or
	// segment.ErrVersion.
	Err error
	// Warning marks a harmless finding that reads are not affected by: a
	// leftover that main already includes, a stale temporary file, a file
	// that Repair moved aside.
	Warning bool
}

func (p Problem) String() string { return p.File + ": " + p.Err.Error() }

// FileReport is what Check found out about one published file.
type FileReport struct {
	Name string
	Size int64
	// Kind, Rows and Blocks are what the footer says; FooterOK is false
	// when the footer itself is unreadable.
	Kind         segment.Kind
	Rows, Blocks uint64
	FooterOK     bool
	// Markers is the number of delete markers of a marker file, when its
	// meta section is readable (MetaOK).
	Markers int
	MetaOK  bool
	// FirstKey and LastKey are the key range of the index, when the whole
	// index is readable (KeysOK).
	FirstKey, LastKey []byte
	KeysOK            bool
	// IncludedBy names the file that already includes this one (it is a
	// leftover of an interrupted compaction), or is "".
	IncludedBy string
	// Err is the damage found, nil for a healthy file.
	Err error
}

// CheckReport is the result of Check.
type CheckReport struct {
	// Files lists the published files: main, then the transactions in
	// commit order.
	Files []FileReport
	// Problems lists what is wrong, one entry per problem, warnings
	// included.
	Problems []Problem
}

// Healthy reports whether the database has no problem but warnings.
func (r *CheckReport) Healthy() bool {
	for _, p := range r.Problems {
		if !p.Warning {
			return false
		}
	}
	return true
}

// Damaged lists the damaged files.
func (r *CheckReport) Damaged() []FileReport {
	var out []FileReport
	for _, f := range r.Files {
		if f.Err != nil {
			out = append(out, f)
		}
	}
	return out
}

// Totals sums the rows and blocks of the files, per their footers.
func (r *CheckReport) Totals() (rows, blocks uint64) {
	for _, f := range r.Files {
		rows += f.Rows
		blocks += f.Blocks
	}
	return rows, blocks
}

// Check verifies every file of the database: the CRCs of every block,
// index page, top index, meta section and footer; the key and time order
// of the index within and across pages; every block decoded and matching
// its index entry; the block and row counts of the footer; the included
// lists. It also reports, as warnings, files that main or an output
// already includes (leftovers the next compaction removes), stale
// temporary files and files moved aside by Repair. Check takes no lock and
// changes nothing; files that a compaction removes meanwhile are skipped.
// Its error is for failing to run at all; damage is in the report.
func (db *DB) Check() (*CheckReport, error) {
	listing, err := db.list()
	if err != nil {
		return nil, err
	}
	r := &CheckReport{}
	mainEntry, ok := newestMain(listing, db.objects)
	if !ok {
		return nil, fmt.Errorf("%w: %s has no %q", ErrNotDatabase, db.fs, MainName)
	}
	var opened []*segFile
	defer func() {
		for _, f := range opened {
			f.rf.Close()
		}
	}()
	for _, e := range append([]vfs.Entry{mainEntry}, sortedFiles(listing)...) {
		fr, f, ok := db.checkFile(e)
		if !ok {
			continue
		}
		r.Files = append(r.Files, fr)
		if f != nil {
			opened = append(opened, f)
		}
	}
	db.markIncluded(r, opened)
	if db.objects {
		// On object storage a replaced file stays for the grace period by
		// design: it is no longer part of the database, not a leftover.
		r.Files = slices.DeleteFunc(r.Files, func(f FileReport) bool { return f.IncludedBy != "" })
	}
	for i := range r.Files {
		f := &r.Files[i]
		switch {
		case f.Err != nil:
			r.Problems = append(r.Problems, Problem{File: f.Name, Err: f.Err})
		case f.IncludedBy != "":
			r.Problems = append(r.Problems, Problem{File: f.Name, Warning: true, Err: db.leftover(f.IncludedBy)})
		}
	}
	r.Problems = append(r.Problems, db.checkOthers(listing)...)
	return r, nil
}

// leftover says why a file that another includes is still there.
func (db *DB) leftover(by string) error {
	return fmt.Errorf("leftover of an interrupted compaction: %s already includes it; the next compaction removes it", by)
}

// markIncluded sets IncludedBy for the files that main or another healthy
// file includes (by name and ID).
func (db *DB) markIncluded(r *CheckReport, opened []*segFile) {
	if len(opened) == 0 || parseName(opened[0].name).kind != kindMain {
		return // main is damaged: nothing is known to include anything
	}
	by := map[string]string{}
	for _, f := range opened {
		for _, inc := range f.seg.Included() {
			if inc.Name == f.name && inc.ID.IsZero() {
				continue // a version 1 output includes its own name
			}
			for _, g := range opened[1:] {
				if g.name == inc.Name && (inc.ID.IsZero() || inc.ID == g.id()) && by[g.name] == "" {
					by[g.name] = f.name
				}
			}
		}
	}
	for i := range r.Files {
		r.Files[i].IncludedBy = by[r.Files[i].Name]
	}
}

// checkOthers reports stale temporary files and files moved aside.
func (db *DB) checkOthers(listing []vfs.Entry) []Problem {
	var out []Problem
	if s, ok := db.fs.(vfs.Sweeper); ok {
		stale, _ := s.Stale()
		for _, n := range stale {
			out = append(out, Problem{File: n, Warning: true,
				Err: errors.New("stale temporary file of a writer that died; the next add or compaction removes it")})
		}
	}
	for _, e := range listing {
		if strings.HasPrefix(e.Name, txPrefix) && strings.Contains(e.Name, damagedSuffix) {
			out = append(out, Problem{File: e.Name, Warning: true,
				Err: errors.New("a damaged file moved aside by check --repair; never read: remove it once it is no longer needed")})
		}
	}
	return out
}

// checkFile verifies one published file. It returns the opened file when
// it is healthy (the caller closes it), and ok false when the file
// vanished (a compaction removed it meanwhile).
func (db *DB) checkFile(e vfs.Entry) (fr FileReport, f *segFile, ok bool) {
	fr.Name = e.Name
	rf, err := db.fs.Open(e.Name, e.Version)
	if err != nil {
		if (errors.Is(err, vfs.ErrNotExist) || errors.Is(err, vfs.ErrChanged)) && parseName(e.Name).kind != kindMain {
			return fr, nil, false
		}
		fr.Err = fmt.Errorf("open: %w", err)
		return fr, nil, true
	}
	fr.Size = rf.Size()
	if info, err := segment.ReadFooter(rf, fr.Size); err == nil {
		fr.Kind, fr.Rows, fr.Blocks, fr.FooterOK = info.Kind, info.Rows, info.Blocks, true
	}
	seg, err := openSegment(e.Name, rf)
	if err != nil {
		rf.Close()
		fr.Err = errors.Unwrap(err) // openSegment names the file; the report does too
		if fr.Err == nil {
			fr.Err = err
		}
		return fr, nil, true
	}
	fr.Kind, fr.Rows, fr.Blocks, fr.FooterOK = seg.Kind(), seg.Rows(), seg.Blocks(), true
	fr.Markers, fr.MetaOK = len(seg.Markers()), true
	keys, err := seg.Verify()
	fr.FirstKey, fr.LastKey, fr.KeysOK = keys.First, keys.Last, keys.OK
	fr.Err = errors.Join(err, checkMeta(e.Name, seg))
	if fr.Err != nil {
		rf.Close()
		return fr, nil, true
	}
	return fr, &segFile{name: e.Name, fn: parseName(e.Name), rf: rf, seg: seg}, true
}

// checkMeta verifies the kind and the included list of a file: a main
// holds data; an included list names transactions and outputs, which an
// output (or a version 1 output, named as a transaction) may include only
// from positions up to its own.
func checkMeta(name string, seg *segment.Reader) error {
	fn := parseName(name)
	if fn.kind == kindMain && seg.Kind() != segment.KindData {
		return fmt.Errorf("%w: main is a %s file, not a data file", segment.ErrCorrupt, seg.Kind())
	}
	for _, inc := range seg.Included() {
		ifn := parseName(inc.Name)
		if ifn.kind != kindTx && ifn.kind != kindOutput {
			return fmt.Errorf("%w: the included list names %q, not a transaction file", segment.ErrCorrupt, inc.Name)
		}
		if fn.kind != kindMain && (ifn.pos > fn.pos || ifn.pos == fn.pos && inc.Name > name) {
			return fmt.Errorf("%w: the included list names %s, committed after this file", segment.ErrCorrupt, inc.Name)
		}
	}
	return nil
}

// Moved describes a damaged transaction file that Repair moved aside.
type Moved struct {
	FileReport        // what Check knew of the file
	To         string // its new name
}

// Repair moves every damaged transaction file aside, to NAME.damaged (a
// name that readers ignore), so that the database reads again: the state
// after a --no-sync commit torn by a power loss. The rows or delete
// markers of those files are no longer read; Moved says what they were, as
// far as each file's footer and index tell. Repair holds the compaction
// lock (waiting for a running compaction) while it checks and moves, and
// also removes what the store's crashed writers left (stale temporary
// files, incomplete uploads). It never touches main: when main is damaged
// it changes nothing and returns ErrMainDamaged.
func (db *DB) Repair() (*CheckReport, []Moved, error) {
	lock, err := db.fs.Lock(CompactLock, true)
	if err != nil {
		return nil, nil, fmt.Errorf("lock %s: %w", CompactLock, err)
	}
	defer lock.Release()
	r, err := db.Check()
	if err != nil {
		return nil, nil, err
	}
	for _, f := range r.Damaged() {
		if parseName(f.Name).kind == kindMain {
			return r, nil, fmt.Errorf("%w (%v): repair never touches main; restore it from a backup", ErrMainDamaged, f.Err)
		}
	}
	var moved []Moved
	for _, f := range r.Damaged() {
		if again, err := db.damagedAgain(f.Name); err != nil || !again {
			if err != nil {
				return r, moved, err
			}
			continue // a passing fault (a body cut short, a node going away): not damage
		}
		to, err := db.moveAside(f.Name)
		if err != nil {
			return r, moved, err
		}
		moved = append(moved, Moved{FileReport: f, To: to})
	}
	if s, ok := db.fs.(vfs.Sweeper); ok {
		if err := s.RemoveStale(); err != nil {
			return r, moved, fmt.Errorf("remove stale files: %w", err)
		}
	}
	return r, moved, nil
}

// damagedAgain checks the file name once more, fetched afresh: Repair
// moves a file aside only when its damage is in the stored object, not in
// one transfer of it.
func (db *DB) damagedAgain(name string) (bool, error) {
	listing, err := db.list()
	if err != nil {
		return false, err
	}
	for _, e := range listing {
		if e.Name == name {
			fr, f, ok := db.checkFile(e)
			if f != nil {
				f.rf.Close()
			}
			return ok && fr.Err != nil, nil
		}
	}
	return false, nil // gone: nothing to move
}

// moveAside copies name to name.damaged (or name.damaged.N when taken),
// never replacing a file, then removes name: a copy, because object
// stores cannot rename, and a damaged transaction file is small.
func (db *DB) moveAside(name string) (string, error) {
	rf, err := db.fs.Open(name, "")
	if err != nil {
		return "", fmt.Errorf("move %s aside: %w", name, err)
	}
	defer rf.Close()
	p, err := db.fs.Create()
	if err != nil {
		return "", fmt.Errorf("move %s aside: %w", name, err)
	}
	defer p.Close()
	if _, err := io.Copy(p, io.NewSectionReader(rf, 0, rf.Size())); err != nil {
		return "", fmt.Errorf("move %s aside: copy: %w", name, err)
	}
	for i := 0; ; i++ {
		to := name + damagedSuffix
		if i > 0 {
			to = fmt.Sprintf("%s.%d", to, i)
		}
		err := p.Publish(to)
		if errors.Is(err, vfs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("move %s aside: %w", name, err)
		}
		if err := db.fs.Remove(name); err != nil {
			return "", fmt.Errorf("move %s aside: %w", name, err)
		}
		return to, nil
	}
}
