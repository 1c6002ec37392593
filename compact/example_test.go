package compact_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/chime-tsdb/chime/compact"
	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// Example deletes rows and compacts from a Go program, as `chime delete`
// and `chime compact --major` do.
func Example() {
	tmp, err := os.MkdirTemp("", "chime-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "db")
	if err := tsdb.Init(dir); err != nil {
		log.Fatal(err)
	}
	db, err := tsdb.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, rows := range []string{"bad.x 1 1\ngood 1 1\n", "good 2 2\n"} {
		if _, _, err := db.AddText(strings.NewReader(rows), text.Options{Format: "u"}); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := db.Delete(format.Marker{Filter: []byte("bad.%"), HasFilter: true}); err != nil {
		log.Fatal(err)
	}
	res, err := compact.Run(context.Background(), db, compact.Options{Major: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("merged %d files into %s: %d rows\n", len(res.Inputs), res.Output, res.Rows)
	// Output:
	// merged 4 files into main: 2 rows
}
