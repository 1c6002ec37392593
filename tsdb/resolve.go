package tsdb

import (
	"fmt"

	"github.com/chime-tsdb/chime/format/segment"
)

// includeSet is the files whose rows a main or a compaction output
// holds: names with their IDs. A zero ID (a version 1 included list, which
// has names only) matches every file of its name.
type includeSet map[string][]segment.ID

// add adds an included list, leaving out the entries that name the file
// itself (a version 1 minor output took the name of a file it merged).
func (s includeSet) add(self string, list []segment.Included) {
	for _, inc := range list {
		if inc.Name != self || !inc.ID.IsZero() {
			s[inc.Name] = append(s[inc.Name], inc.ID)
		}
	}
}

// has reports whether the file name with ID id is included.
func (s includeSet) has(name string, id segment.ID) bool {
	for _, x := range s[name] {
		if x.IsZero() || x == id || broken.namesOnly {
			return true
		}
	}
	return false
}

// hasName reports whether some file of that name is included.
func (s includeSet) hasName(name string) bool { return len(s[name]) > 0 }

// resolve decides which of a snapshot's files are read, by the rules of
// the protocol (see the package documentation):
//
//   - an output (a file with an included list) planned on an older main
//     than main, which main does not include, is ignored: a compactor
//     published it after a newer main already merged (some of) its
//     inputs, so its rows may be stale, and its inputs stay live instead;
//   - a file that main or an output not ignored includes, by name and ID,
//     is hidden: its rows are read from there (included lists are not
//     transitive, so an output hidden by another still hides its own
//     inputs);
//   - a listed file that vanished before it could be opened must have been
//     removed by a compaction whose output an opened file is or includes:
//     otherwise the listing was stale (errRelist).
func resolve(main *segFile, files []*segFile, vanished []string) error {
	inc := includeSet{}
	inc.add(main.name, main.seg.Included())
	gen := main.seg.Generation()
	for _, f := range files {
		f.hidden, f.ignored = false, false
		included := f.seg.Included()
		if len(included) == 0 {
			continue
		}
		if f.seg.Generation() < gen && !inc.has(f.name, f.id()) && !broken.noIgnore {
			f.ignored = true
			continue
		}
		inc.add(f.name, included)
	}
	for _, f := range files {
		f.hidden = inc.has(f.name, f.id())
	}
	for _, name := range vanished {
		if !inc.hasName(name) {
			return fmt.Errorf("%w: %s is gone and no file read includes it", errRelist, name)
		}
	}
	return nil
}
