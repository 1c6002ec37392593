package text

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// FuzzParseColumns parses arbitrary -C lists: no panic, and a parsed set
// parses back from its canonical list (its columns, comma-separated) and
// is unchanged by a trailing "none".
func FuzzParseColumns(f *testing.F) {
	for _, s := range []string{"1", "1,3", "2-4;1 7", "all", "none", "0", "5-2", "99999999999999999999", "1-", "-3", "a", "", " , ;", "1--2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		s, err := ParseColumns(list)
		if err != nil {
			return
		}
		var cols []string
		for c := range format.MaxFormatLen + 2 {
			if s.Has(c) {
				cols = append(cols, strconv.Itoa(c+1))
			}
		}
		canon := strings.Join(cols, ",")
		if canon == "" {
			canon = "none"
		}
		for _, again := range []string{canon, list + ",none"} {
			s2, err := ParseColumns(again)
			if err != nil || *s2 != *s {
				t.Fatalf("%q parsed to columns %s, but %q parses differently (%v)", list, canon, again, err)
			}
		}
	})
}
