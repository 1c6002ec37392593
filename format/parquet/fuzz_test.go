package parquet

import (
	"bytes"
	"testing"
)

// FuzzRead feeds damaged files to Read: it must return an error or rows,
// never panic, and what it reads of an intact file must write back to a
// file that reads the same. The seeds are chime's files and the fixtures
// of other writers, with every encoding and codec chime reads.
func FuzzRead(f *testing.F) {
	seeds := [][]row{
		{{"a", 1, "u", []uint64{1}, nil}, {"b", 2, "uB", []uint64{5}, []string{"y"}}},
		{{"k", 5, "uisF", []uint64{1, 2, f64(1.5)}, []string{"z"}}, {"k", 6, "u", []uint64{3}, nil}},
	}
	for _, rows := range seeds {
		var uses []FormatUse
		for _, r := range rows {
			uses = append(uses, FormatUse{Format: r.f, Key: []byte(r.key)})
		}
		s, err := PlanSchema(uses, nil)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		w := NewWriter(&buf, s, &WriterOptions{RowGroupRows: 1})
		for _, r := range rows {
			w.WriteRows(r.block(), 0, 1)
		}
		w.Close()
		f.Add(buf.Bytes())
	}
	for _, data := range fixtures(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := importAll(data, nil)
		if err != nil {
			return
		}
		var uses []FormatUse
		for _, r := range rows {
			uses = append(uses, FormatUse{Format: r.f, Key: []byte(r.key)})
		}
		s, err := PlanSchema(uses, nil)
		if err != nil {
			return // a file of mixed types of its own making
		}
		var buf bytes.Buffer
		w := NewWriter(&buf, s, nil)
		for _, r := range rows {
			if err := w.WriteRows(r.block(), 0, 1); err != nil {
				w.Close()
				return // a time beyond INT64 nanoseconds
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := importAll(buf.Bytes(), nil)
		if err != nil {
			t.Fatalf("reading back what was read: %v", err)
		}
		checkRows(t, again, rows)
	})
}
