package tsdb

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
)

// FuzzAPI drives the public API with arbitrary calls, decoded from the
// fuzzer's bytes: transactions of hand-made blocks (any format string, any
// columns, nil or short ones, values that may not fit, keys of any
// length), text adds with any options, deletes with any marker. Whatever
// happens: no panic, and after every call the database reads back and
// Check finds it healthy (nothing was published that does not read back).
func FuzzAPI(f *testing.F) {
	f.Add([]byte("\x00u\x01k\x02\x05\x00\x01"))
	f.Add([]byte("\x00uq\x01k\x01\x05\x00"))
	f.Add([]byte("\x01\x00k 1\n"))
	f.Add([]byte("\x01us\x00a 1 1 x\nb 2 2\n"))
	f.Add([]byte("\x02a%\x03"))
	f.Add([]byte("\x00ss\x01k\x01\x00\x00\x03\x00"))
	f.Fuzz(func(t *testing.T, prog []byte) {
		db, _ := newMemDB(t, memfs.Options{})
		r := &fuzzReader{b: prog}
		for steps := 0; len(r.b) > 0 && steps < 8; steps++ {
			var err error
			switch r.byte() % 4 {
			case 0:
				err = fuzzTx(db, r)
			case 1:
				_, _, err = db.AddText(bytes.NewReader(r.rest()), text.Options{Format: format.Format(r.str()), FormatPerLine: r.byte()%2 == 1, Workers: 1})
			case 2:
				_, err = db.Delete(format.Marker{Filter: []byte(r.str()), HasFilter: r.byte()%2 == 1,
					Bounds: format.Bounds{AfterTime: uint64(r.byte()), HasAfterTime: r.byte()%2 == 1, BeforeKey: []byte(r.str()), HasBeforeKey: r.byte()%2 == 1}})
			case 3:
				var c *Compaction
				if c, err = db.BeginCompaction(CompactionOptions{Major: r.byte()%2 == 1}); err == nil {
					if view := c.Snapshot(); view != nil {
						err = view.Scan(nil, func(b *format.Block, from, to int) error {
							var sub format.Block
							sub.Reset(b.Key, b.Format)
							sub.AppendRows(b, from, to)
							return c.Write(&sub)
						})
					}
					if err == nil {
						_, err = c.Publish()
					}
					c.Abort()
				}
			}
			if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %q is not one line", err)
			}
			if _, rerr := readAll(db, false); rerr != nil {
				t.Fatalf("after a call (err %v) the database does not read back: %v", err, rerr)
			}
			rep, cerr := db.Check()
			if cerr != nil || !rep.Healthy() {
				t.Fatalf("after a call (err %v) check: %v %v", err, cerr, rep.Problems)
			}
		}
	})
}

// fuzzTx writes blocks decoded from r in one transaction and commits it.
func fuzzTx(db *DB, r *fuzzReader) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for n := r.byte() % 4; n > 0; n-- {
		b := &format.Block{Key: []byte(r.str()), Format: format.Format(r.str())}
		rows := int(r.byte() % 4)
		for i := range rows {
			b.Times = append(b.Times, uint64(i)+uint64(r.byte()))
		}
		for col := range int(r.byte() % 4) {
			var c format.Column
			for range int(r.byte() % 5) {
				if col < len(b.Format) && format.Code(b.Format[col]).Variable() {
					c.Data = append(c.Data, r.byte())
					c.Ends = append(c.Ends, uint32(len(c.Data)-int(r.byte()%2)))
				} else {
					c.Nums = append(c.Nums, uint64(r.byte())<<uint(r.byte()%64))
				}
			}
			b.Cols = append(b.Cols, c)
		}
		if err := tx.Write(b); err != nil {
			tx.Rollback()
			if errors.Is(err, ErrTxDone) {
				return err
			}
			return err
		}
	}
	_, err = tx.Commit()
	return err
}

// fuzzReader takes values off the fuzzer's bytes, zero when they run out.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// str is a length byte, then that many bytes.
func (r *fuzzReader) str() string {
	n := min(int(r.byte()), len(r.b))
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// rest takes everything left.
func (r *fuzzReader) rest() []byte {
	b := r.b
	r.b = nil
	return b
}
