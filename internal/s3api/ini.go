package s3api

import (
	"fmt"
	"strings"
)

// iniFile is a parsed AWS shared file (~/.aws/config, ~/.aws/credentials):
// sections by name ("default", "profile NAME", "services NAME"), each a
// map of keys (lower case) to values. An indented "key = value" line
// under a key with no value is a sub-property, stored as "parent.key":
//
//	[services local]
//	s3 =
//	  endpoint_url = http://127.0.0.1:9000
type iniFile map[string]map[string]string

// parseINI parses an AWS shared file; name is for messages. Lines are
// blank, comments (starting with '#' or ';'), [section] headers, or
// key = value; values are taken as they are, without inline comments.
func parseINI(name string, data []byte) (iniFile, error) {
	f := iniFile{}
	var sec map[string]string
	parent := ""
	for i, line := range strings.Split(string(data), "\n") {
		indented := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == '#' || t[0] == ';':
			continue
		case t[0] == '[':
			if !strings.HasSuffix(t, "]") {
				return nil, fmt.Errorf("%s:%d: a section header without its ']'", name, i+1)
			}
			title := strings.Join(strings.Fields(t[1:len(t)-1]), " ")
			if f[title] == nil {
				f[title] = map[string]string{}
			}
			sec, parent = f[title], ""
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: neither a [section] nor key = value", name, i+1)
		}
		if sec == nil {
			return nil, fmt.Errorf("%s:%d: key = value before any [section]", name, i+1)
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if indented && parent != "" {
			sec[parent+"."+k] = v
			continue
		}
		sec[k] = v
		parent = ""
		if v == "" {
			parent = k
		}
	}
	return f, nil
}
