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
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// ExampleSnapshot_Aggregate computes per key and per 10-second bucket the
// row count and the mean of the first value column, as
// `read % --step 10s --agg count,mean` does.
func ExampleSnapshot_Aggregate() {
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
	rows := "cpu 1000000000 10\ncpu 5000000000 20\ncpu 12000000000 60\nmem 3000000000 7\n"
	if _, _, err := db.AddText(strings.NewReader(rows), text.Options{Format: "u"}); err != nil {
		log.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()

	funcs, err := agg.ParseList("count,mean")
	if err != nil {
		log.Fatal(err)
	}
	step, err := agg.ParseDuration("10s")
	if err != nil {
		log.Fatal(err)
	}
	q := &agg.Query{Funcs: funcs, Step: step}
	err = snap.Aggregate(nil, q, nil, func(b *format.Block, from, to int) error {
		for i := from; i < to; i++ {
			// Columns: count (U) and mean (F) of value column 1.
			fmt.Printf("%s %s %d %d %s\n", b.Key, b.Format, b.Times[i], b.Cols[0].Nums[i], text.AppendValue(nil, b.Format.Code(1), b.Cols[1].Nums[i], nil))
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// cpu UF 0 2 15.00000000000000000
	// cpu UF 10000000000 1 60.00000000000000000
	// mem UF 0 1 7.00000000000000000
}
