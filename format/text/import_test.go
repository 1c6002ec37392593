package text

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// TestParse_Unsorted hands on every row of unsorted input, gathered by
// key within a chunk, each key's rows in input order (so that the later of
// two equal rows still comes later), whatever the order of the keys.
func TestParse_Unsorted(t *testing.T) {
	var in strings.Builder
	var want []string
	for ts := range 3000 {
		for k := range 7 {
			key := fmt.Sprintf("k%d", (k*3)%7)
			if ts%100 == 0 && k == 2 {
				key = "k0" // a key out of its cycle now and then
			}
			line := fmt.Sprintf("%s %d u %d", key, ts%1000, ts*7+k)
			if ts%500 == 0 {
				line = fmt.Sprintf("%s %d uu %d 1", key, ts%1000, ts*7+k) // a format change within a key
			}
			in.WriteString(line + "\n")
			want = append(want, line)
		}
	}
	var blocks []*format.Block
	opts := Options{FormatPerLine: true, Unsorted: true, Workers: 2}
	if err := Parse(strings.NewReader(in.String()), opts, collect(&blocks)); err != nil {
		t.Fatal(err)
	}
	// Per key, the rows come in input order.
	perKey := map[string][]string{}
	for _, w := range want {
		k := strings.Fields(w)[0]
		perKey[k] = append(perKey[k], w)
	}
	got := map[string][]string{}
	rows := 0
	for _, b := range blocks {
		for i := range b.Len() {
			vals := fmt.Sprint(b.Cols[0].Nums[i])
			if b.Format.Len() == 2 {
				vals += " " + fmt.Sprint(b.Cols[1].Nums[i])
			}
			got[string(b.Key)] = append(got[string(b.Key)], fmt.Sprintf("%s %d %s %s", b.Key, b.Times[i], b.Format, vals))
			rows++
		}
	}
	if rows != len(want) {
		t.Fatalf("%d rows, want %d", rows, len(want))
	}
	for k, w := range perKey {
		if !equalStrings(got[k], w) {
			t.Errorf("key %s: rows out of input order", k)
		}
	}
	// Sorted input is still refused out of order without Unsorted.
	opts.Unsorted = false
	err := Parse(bytes.NewReader([]byte("b 1 u 1\na 1 u 1\n")), opts, collect(&blocks))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("sorted parse of unsorted input: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
