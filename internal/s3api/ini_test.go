package s3api

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestParseINI(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     iniFile
		err      string
	}{
		{"empty", "", iniFile{}, ""},
		{"comments and blanks", "# a\n; b\n\n[default]\n  # c\nregion = x\n", iniFile{"default": {"region": "x"}}, ""},
		{"spaces and case", "[ profile   dev ]\r\n  Region=  eu-west-1  \r\n", iniFile{"profile dev": {"region": "eu-west-1"}}, ""},
		{"value with = and #", "[a]\nk = b=c # not a comment\n", iniFile{"a": {"k": "b=c # not a comment"}}, ""},
		{"sub-properties", "[services s]\ns3 =\n  endpoint_url = http://h\n\tregion = r\nk = v\n  x = y\n", iniFile{"services s": {"s3": "", "s3.endpoint_url": "http://h", "s3.region": "r", "k": "v", "x": "y"}}, ""},
		{"section repeated", "[a]\nk=1\n[b]\n[a]\nj=2\n", iniFile{"a": {"k": "1", "j": "2"}, "b": {}}, ""},
		{"empty value", "[a]\nk =\n", iniFile{"a": {"k": ""}}, ""},
		{"unclosed header", "[a\n", nil, "x:1: a section header without its ']'"},
		{"no equals", "[a]\nk\n", nil, "x:2: neither a [section] nor key = value"},
		{"key before section", "k = v\n", nil, "x:1: key = value before any [section]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseINI("x", []byte(c.in))
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("got %v, want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(got, c.want, maps.Equal) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

// formatINI writes a parsed file back, each key (sub-properties too, as
// "parent.key") a line of its section: parsing it gives the same file.
func formatINI(f iniFile) string {
	var b strings.Builder
	for _, title := range slices.Sorted(maps.Keys(f)) {
		b.WriteString("[" + title + "]\n")
		for _, k := range slices.Sorted(maps.Keys(f[title])) {
			b.WriteString(k + " = " + f[title][k] + "\n")
		}
	}
	return b.String()
}

// FuzzParseINI: no input panics; what parses, written back, parses to
// the same.
func FuzzParseINI(f *testing.F) {
	f.Add([]byte(testCredentials))
	f.Add([]byte(testConfig))
	f.Add([]byte("[a]\nk =\n  s = v\n\tt = w\n"))
	f.Add([]byte("[a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseINI("fuzz", data)
		if err != nil {
			return
		}
		again, err := parseINI("again", []byte(formatINI(got)))
		if err != nil {
			t.Fatalf("written back: %v\n%s", err, formatINI(got))
		}
		if !maps.EqualFunc(got, again, maps.Equal) {
			t.Fatalf("parsed %v, written back and parsed %v", got, again)
		}
	})
}
