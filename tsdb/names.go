package tsdb

import (
	"fmt"
	"strconv"
	"strings"
)

// Transaction files are named tx.<16 lowercase hex digits>; the number is
// chosen under the commit lock above every existing one, so the lexical
// order of names is the commit order.
const (
	txPrefix   = "tx."
	tmpSuffix  = ".tmp"
	commitLock = ".commit"
	// CompactLock is the lock file compaction holds; hard-link backups
	// take it too (flock db/.compact cp -al db backup/).
	CompactLock = ".compact"
)

// txNumber parses a transaction file name.
func txNumber(name string) (uint64, bool) {
	hex, ok := strings.CutPrefix(name, txPrefix)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(hex, 16, 64)
	return n, err == nil
}

func txName(n uint64) string { return fmt.Sprintf("%s%016x", txPrefix, n) }
