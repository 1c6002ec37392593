package tsdb

import (
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

// TestSnapshot_Formats lists each format of the selected blocks once,
// with its first key, and leaves out blocks outside the time bounds and
// deleted ones.
func TestSnapshot_Formats(t *testing.T) {
	db := newDB(t)
	add := func(f, rows string) {
		t.Helper()
		if _, _, err := db.AddText(strings.NewReader(rows), text.Options{Format: format.Format(f)}); err != nil {
			t.Fatal(err)
		}
	}
	add("u", "a 1 1\nb 1 2\n")
	add("uF", "b 5 1 2.5\nc 1 1 1\n")
	add("s", "d 100 x\n")
	if _, err := db.Delete(format.Marker{Filter: []byte("d"), HasFilter: true}); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	tests := []struct {
		sel  *Selector
		want string
	}{
		{nil, "u:a uF:b"},
		{&Selector{Filters: [][]byte{[]byte("c")}}, "uF:c"},
		{&Selector{Filters: [][]byte{[]byte("%")}, Bounds: format.Bounds{BeforeTime: 3, HasBeforeTime: true}}, "u:a uF:c"},
		{&Selector{Filters: [][]byte{[]byte("nosuch")}}, ""},
	}
	for _, tt := range tests {
		uses, err := snap.Formats(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range uses {
			got = append(got, string(u.Format)+":"+string(u.Key))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("Formats(%+v) = %q, want %q", tt.sel, g, tt.want)
		}
	}
}
