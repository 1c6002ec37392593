package server

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"a", "sensors", "app.prod-2", "A_b", strings.Repeat("x", maxNameLen)} {
		if err := checkName(ok); err != nil {
			t.Errorf("checkName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", ".hidden", ".removed.x", "a/b", "/etc", "a\\b", "..\\x",
		"a\x00b", "a b", "ä", "C:", "a%b", strings.Repeat("x", maxNameLen+1)} {
		if err := checkName(bad); err == nil {
			t.Errorf("checkName(%q) accepted", bad)
		}
	}
}

// tree lists every path under dir with its size and mode, to show that
// requests changed nothing.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %d %v %v", p, info.Size(), info.Mode(), info.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestRoot_Traversal sends every request kind with names that try to
// reach outside the root: none may succeed, and nothing in or beside the
// root may change.
func TestRoot_Traversal(t *testing.T) {
	e := newRootEnv(t, func(o *Options) { o.Compact = runCompact })
	parent := t.TempDir()
	outside := filepath.Join(parent, "outside")
	if err := tsdb.Init(outside); err != nil {
		t.Fatal(err)
	}
	db, err := tsdb.Open(outside, &tsdb.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddText(strings.NewReader("secret 1 1\n"), text.Options{Format: "u"}); err != nil {
		t.Fatal(err)
	}
	// Planted links: to a database outside, to the root itself, to
	// nowhere, and to a directory beside the root.
	for name, target := range map[string]string{
		"evil": outside, "self": ".", "dangling": filepath.Join(parent, "nothing", "x"), "up": "..",
	} {
		if err := os.Symlink(target, filepath.Join(e.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, parent) + tree(t, e.dir)
	names := []string{"..", "%2e%2e", "%2E%2E", ".", "%2e", "..%2f..%2fetc", "%2fetc", "%2Ftmp%2Fx",
		"..%5c..%5cx", "%5c", "C:%5cx", "a%00b", "%00", "evil", "self", "dangling", "up", ".hidden", "a%20b"}
	for _, name := range names {
		for _, rq := range []string{
			"GET /db/" + name + "/%25", "GET /db/" + name + "/?keys",
			"PUT /db/" + name + "/\nk 1 u 1\n", "POST /db/" + name + "/%25?delete", "POST /db/" + name + "/?compact",
			"DELETE /db/" + name + "?confirm=" + name, "DELETE /db/" + name + "/?confirm=" + name,
			"GET /db/../" + name + "/k", "PUT /db/../" + name + "/\nk 1 u 1\n", "GET /db/x/../../" + name + "/k",
		} {
			resp := e.raw(rq)[0]
			if resp.code < 400 || resp.code >= 500 || strings.Contains(resp.body, "secret") {
				t.Errorf("%q: %d %q, want a 4xx", rq, resp.code, resp.body)
			}
		}
	}
	if after := tree(t, parent) + tree(t, e.dir); after != before {
		t.Errorf("requests changed files:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if got := e.must(http.StatusOK, "GET", "/db/", ""); got != "" {
		t.Errorf("GET /db/ lists %q, want nothing (links are not databases of the root)", got)
	}
}

// A link inside the root to a database inside the root is followed for
// reads and writes, but removal never goes through a link.
func TestRoot_InnerLink(t *testing.T) {
	e := newRootEnv(t, nil)
	e.put("/db/real", "k 1 u 1\n")
	if err := os.Symlink("real", filepath.Join(e.dir, "alias")); err != nil {
		t.Fatal(err)
	}
	if got := e.must(http.StatusOK, "GET", "/db/alias/k", ""); got != "k\t1\t1\n" {
		t.Errorf("GET through an inner link: %q", got)
	}
	e.must(http.StatusForbidden, "DELETE", "/db/alias?confirm=alias", "")
	if got := e.must(http.StatusOK, "GET", "/db/real/k", ""); got != "k\t1\t1\n" {
		t.Errorf("after DELETE of the link: %q", got)
	}
}
