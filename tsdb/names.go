package tsdb

import (
	"fmt"
	"strconv"
	"strings"
)

// The names of a database's objects (see the package documentation):
//
//	main                      the main of generation 0: a local directory's
//	                          only main, replaced by rename; on object
//	                          storage the main `chime init` makes
//	main.<16 hex G>           the main of generation G, on stores that
//	                          cannot replace a name
//	tx.<16 hex N>             a transaction at position N
//	tx.<16 hex C>.<16 hex g>  a minor-compaction output at position C,
//	                          generation g: after tx.C, before tx.C+1
//
// Hexadecimal of fixed width makes the byte order of names their position
// order. Every other name is ignored.
const (
	// MainName is the name of the main of generation 0.
	MainName   = "main"
	mainPrefix = "main."
	txPrefix   = "tx."
	// CompactLock is the lock compaction holds; hard-link backups take it
	// too (flock db/.compact cp -al db backup/).
	CompactLock = ".compact"
	// damagedSuffix is added to the name of a file Repair moves aside.
	damagedSuffix = ".damaged"
)

// nameKind says what a name is.
type nameKind uint8

const (
	kindOther  nameKind = iota
	kindMain            // main, main.G
	kindTx              // tx.N
	kindOutput          // tx.C.g
)

// fileName is a parsed name.
type fileName struct {
	kind nameKind
	pos  uint64 // N of a transaction, C of an output
	gen  uint64 // G of a main, g of an output
}

// parseName parses a name of the database.
func parseName(s string) fileName {
	if s == MainName {
		return fileName{kind: kindMain}
	}
	if g, ok := strings.CutPrefix(s, mainPrefix); ok {
		if v, ok := parseHex(g); ok {
			return fileName{kind: kindMain, gen: v}
		}
		return fileName{}
	}
	rest, ok := strings.CutPrefix(s, txPrefix)
	if !ok {
		return fileName{}
	}
	pos, ok := parseHex(rest[:min(16, len(rest))])
	switch {
	case !ok:
		return fileName{}
	case len(rest) == 16:
		return fileName{kind: kindTx, pos: pos}
	case len(rest) == 33 && rest[16] == '.':
		if g, ok := parseHex(rest[17:]); ok && g > 0 {
			return fileName{kind: kindOutput, pos: pos, gen: g}
		}
	}
	return fileName{}
}

// parseHex parses exactly 16 lowercase hexadecimal digits.
func parseHex(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 16, 64)
	return v, err == nil
}

func txName(n uint64) string        { return fmt.Sprintf("%s%016x", txPrefix, n) }
func outputName(c, g uint64) string { return fmt.Sprintf("%s%016x.%016x", txPrefix, c, g) }

// mainName is the name of the main of generation g on a store that
// cannot replace names (a local directory always uses MainName).
func mainName(g uint64) string {
	if g == 0 {
		return MainName
	}
	return fmt.Sprintf("%s%016x", mainPrefix, g)
}

// IsTransaction reports whether name is the name of a transaction or of a
// minor-compaction output: a file whose rows or markers apply in the
// position order of names.
func IsTransaction(name string) bool {
	k := parseName(name).kind
	return k == kindTx || k == kindOutput
}
