package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/compact"
	"github.com/chime-tsdb/chime/tsdb"
)

func TestPost_Delete(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/a?delete", "b\t1\t1\nb\t2\t2\nbc\t1\t1\n"},
		{"/b%25?delete&after-time=2", "a\t1\t1\na\t2\t2\nb\t1\t1\nbc\t1\t1\n"},
		{"/?delete&time=1", "a\t2\t2\nb\t2\t2\n"},
		{"/?delete&filter=b%25&before-time=1970-01-01T00:00:00.000000002Z", "a\t1\t1\na\t2\t2\nb\t2\t2\n"},
		{"/?delete&after-key=b&before-key=bc", "a\t1\t1\na\t2\t2\nbc\t1\t1\n"},
		{"/%25?delete", ""},
	} {
		e := newDirEnv(t, nil)
		e.put("", "a 1 u 1\na 2 u 2\nb 1 u 1\nb 2 u 2\nbc 1 u 1\n")
		if got := e.must(http.StatusOK, "POST", tc.path, ""); got != "ok\n" {
			t.Errorf("POST %s: %q", tc.path, got)
		}
		if got := e.must(http.StatusOK, "GET", "/%25", ""); got != tc.want {
			t.Errorf("after POST %s:\n got %q\nwant %q", tc.path, got, tc.want)
		}
	}
}

// A delete takes its filter and key bounds escaped, as the delete command
// and sonnerie's delete do (a read takes them raw).
func TestPost_DeleteEscaped(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "a 1 u 1\na\\ b 1 u 2\nx 1 u 3\ny\\\\z 1 u 4\n")
	if got := e.must(http.StatusOK, "GET", "/a%20b", ""); got != "a\\ b\t1\t2\n" {
		t.Fatalf("GET /a%%20b (raw filter): %q", got)
	}
	for _, path := range []string{
		"/a%5C%20b?delete",     // the key "a b", not "a"
		"/?delete&filter=%5Cx", // \x is x
		"/?delete&after-key=y%5C%5Cz&before-key=y%5C%5Cz%5C%20", // [y\z, "y\z ")
	} {
		e.must(http.StatusOK, "POST", path, "")
	}
	if got := e.must(http.StatusOK, "GET", "/%25", ""); got != "a\t1\t1\n" {
		t.Errorf("after the deletes: %q, want only a", got)
	}
}

// A delete's filter or key bound that is not one escaped token is refused
// with its escaped form; sonnerie cut it at its first blank.
func TestPost_DeleteUnescapedBlank(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "a 1 u 1\n")
	for _, tc := range []struct{ path, want string }{
		{"/a%20b?delete", `filter "a b" holds an unescaped space; delete takes keys escaped as in PUT lines: write a\ b`},
		{"/?delete&filter=a%20b", `filter "a b" holds an unescaped space`},
		{"/?delete&after-key=a%09b", `after-key "a\tb" holds an unescaped tab; delete takes keys escaped as in PUT lines: write a\tb`},
		{"/?delete&before-key=a%5C", `before-key "a\\" holds a backslash at its end; delete takes keys escaped as in PUT lines: write a\\`},
	} {
		code, got := e.do("POST", tc.path, "")
		if code != http.StatusBadRequest || !strings.Contains(got, tc.want) {
			t.Errorf("POST %s: %d %q, want 400 with %q", tc.path, code, got, tc.want)
		}
	}
	if got := e.must(http.StatusOK, "GET", "/%25", ""); got != "a\t1\t1\n" {
		t.Errorf("after refused deletes: %q", got)
	}
}

func TestPost_BadRequests(t *testing.T) {
	e := newDirEnv(t, nil)
	for _, tc := range []struct{ path, want string }{
		{"/k", "?delete"},
		{"/?delete", "give a filter"},
		{"/k?delete&compact", "not both"},
		{"/k?delete&time=2020-01-01&after-time=2020-01-01", "time excludes"},
		{"/k?delete&filter=x", "not both"},
		{"/?delete&after-key=b&before-key=a", "after-key"},
		{"/k?delete&bogus", "unknown parameter"},
		{"/k?compact", "no filter"},
		// An empty bound is an error, not an absent one that would leave
		// the marker selecting everything.
		{"/?delete&after-time=", "parameter after-time: invalid time"},
		{"/?delete&time=", "parameter time: invalid time"},
		{"/k?delete&time=1&before-time=2", "time excludes"},
	} {
		code, got := e.do("POST", tc.path, "")
		if code != http.StatusBadRequest || !strings.Contains(got, tc.want) {
			t.Errorf("POST %s: %d %q, want 400 with %q", tc.path, code, got, tc.want)
		}
	}
	e.must(http.StatusNotImplemented, "POST", "/?compact", "")
}

// runCompact is the compactor chime serve uses.
func runCompact(ctx context.Context, db *tsdb.DB, o CompactOptions) (string, error) {
	res, err := compact.Run(ctx, db, compact.Options{Major: o.Major, NoWait: o.NoWait})
	return fmt.Sprintf("merged %d files", len(res.Inputs)), err
}

func TestPost_Compact(t *testing.T) {
	var asked []CompactOptions
	e := newDirEnv(t, func(o *Options) {
		o.Compact = func(ctx context.Context, db *tsdb.DB, co CompactOptions) (string, error) {
			asked = append(asked, co)
			return runCompact(ctx, db, co)
		}
	})
	e.put("", "a 1 u 1\n")
	e.put("", "a 2 u 2\n")
	e.must(http.StatusOK, "POST", "/?compact", "")
	e.put("", "a 3 u 3\n")
	if got := e.must(http.StatusOK, "POST", "/?compact&major&no-wait", ""); got != "merged 3 files\n" {
		t.Errorf("major compaction: %q", got)
	}
	if want := []CompactOptions{{}, {Major: true, NoWait: true}}; fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("compactions %v, want %v", asked, want)
	}
	if got := e.must(http.StatusOK, "GET", "/a", ""); got != "a\t1\t1\na\t2\t2\na\t3\t3\n" {
		t.Errorf("after compaction: %q", got)
	}
}

func TestPost_CompactLocked(t *testing.T) {
	e := newDirEnv(t, func(o *Options) {
		o.Compact = func(context.Context, *tsdb.DB, CompactOptions) (string, error) {
			return "", fmt.Errorf("lock .compact: %w", tsdb.ErrLocked)
		}
	})
	if got := e.must(http.StatusConflict, "POST", "/?compact&no-wait", ""); !strings.Contains(got, "another compaction") {
		t.Errorf("locked compaction: %q, want it to name the other compaction", got)
	}
}

// A read streams from its snapshot: a major compaction that replaces
// every file meanwhile changes nothing of what it returns.
func TestGet_SurvivesCompaction(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.Compact = runCompact })
	const keys, perKey = 100, 3000
	for part := range 3 {
		var body strings.Builder
		for k := range keys {
			for i := part; i < perKey; i += 3 {
				fmt.Fprintf(&body, "key%03d %d u %d\n", k, i, i)
			}
		}
		e.put("", body.String())
	}
	resp, err := e.ts.Client().Get(e.ts.URL + "/key%25")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	e.must(http.StatusOK, "POST", "/?compact&major", "")
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(first+string(rest), "\n")
	if len(lines) != keys*perKey+1 || lines[len(lines)-2] != fmt.Sprintf("key%03d\t%d\t%d", keys-1, perKey-1, perKey-1) {
		t.Fatalf("%d lines, last %q", len(lines)-1, lines[len(lines)-2])
	}
}
