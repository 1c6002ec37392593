package server

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestPut_SpillsToDisk sends a body larger than the sort's memory budget,
// ordered by time across keys: it spills runs beside the database, merges
// them, and leaves no file behind; a repeat across runs is still found.
func TestPut_SpillsToDisk(t *testing.T) {
	var body, want strings.Builder
	const keys, times = 10, 4000
	for ts := range times {
		for k := range keys {
			fmt.Fprintf(&body, "key%d %d u %d\n", keys-1-k, ts, ts*k)
		}
	}
	for k := range keys {
		for ts := range times {
			fmt.Fprintf(&want, "key%d\t%d\t%d\n", k, ts, ts*(keys-1-k))
		}
	}
	e := newDirEnv(t, func(o *Options) { o.SortMemory = 64 << 10 })
	e.put("", body.String())
	if got := e.must(http.StatusOK, "GET", "/%25", ""); got != want.String() {
		t.Fatalf("GET after a spilled PUT: %d bytes, want %d", len(got), want.Len())
	}
	code, got := e.do("PUT", "/", body.String()+"key3 5 u 1\n")
	if code != http.StatusBadRequest || !strings.Contains(got, fmt.Sprintf("line %d: key \"key3\" at timestamp 5 repeats line %d", keys*times+1, 5*keys+keys-3)) {
		t.Errorf("PUT with a repeat: %d %q", code, got)
	}
	files, _ := os.ReadDir(e.dir)
	for _, f := range files {
		if name := f.Name(); name != "main" && name != ".commit" && !strings.HasPrefix(name, "tx.") {
			t.Errorf("file left: %s", name)
		}
	}
}
