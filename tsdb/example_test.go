package tsdb_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// Example embeds a database in a Go program: create it, add text rows as
// one transaction, and read them back merged and formatted.
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
	rows := "fibonacci 1 1\nfibonacci 2 1\nfibonacci 3 2\nlucas 1 2\n"
	if _, _, err := db.AddText(strings.NewReader(rows), text.Options{Format: "u"}); err != nil {
		log.Fatal(err)
	}

	snap, err := db.Snapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()
	sel := &tsdb.Selector{Filters: [][]byte{[]byte("fib%")}}
	err = snap.Scan(sel, func(b *format.Block, from, to int) error {
		for i := from; i < to; i++ {
			fmt.Printf("%s %d %d\n", b.Key, b.Times[i], b.Cols[0].Nums[i])
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// fibonacci 1 1
	// fibonacci 2 1
	// fibonacci 3 2
}
