package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/tsdb"
)

func TestRoot_CreateOnFirstWrite(t *testing.T) {
	e := newRootEnv(t, nil)
	if got := e.must(http.StatusOK, "GET", "/db/", ""); got != "" {
		t.Errorf("empty root lists %q", got)
	}
	e.must(http.StatusNotFound, "GET", "/db/sensors/k", "")
	e.put("/db/sensors", "k 1 u 1\n")
	e.put("/db/app.prod-2", "k 2 u 2\n")
	if got := e.must(http.StatusOK, "GET", "/db/sensors/k", ""); got != "k\t1\t1\n" {
		t.Errorf("GET /db/sensors/k: %q", got)
	}
	if got := e.must(http.StatusOK, "GET", "/db/app.prod-2/%25?human", ""); got != "k\t1970-01-01T00:00:00\t2\n" {
		t.Errorf("GET /db/app.prod-2/%%: %q", got)
	}
	if got := e.must(http.StatusOK, "GET", "/db/", ""); got != "app.prod-2\nsensors\n" {
		t.Errorf("GET /db/: %q", got)
	}
	for _, q := range []string{"?json", "?output=json"} {
		if got := e.must(http.StatusOK, "GET", "/db/"+q, ""); got != `"app.prod-2"`+"\n"+`"sensors"`+"\n" {
			t.Errorf("GET /db/%s: %q", q, got)
		}
	}
	if got := e.must(http.StatusBadRequest, "GET", "/db/?output=csv", ""); !strings.Contains(got, "databases are listed as text or json") {
		t.Errorf("GET /db/?output=csv: %q", got)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "sensors", tsdb.MainName)); err != nil {
		t.Errorf("created database: %v", err)
	}
}

func TestRoot_NoCreate(t *testing.T) {
	e := newRootEnv(t, func(o *Options) { o.NoCreate = true })
	code, got := e.do("PUT", "/db/new/", "k 1 u 1\n")
	if code != http.StatusNotFound || !strings.Contains(got, "no-create") {
		t.Errorf("PUT to a new database with NoCreate: %d %q", code, got)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "new")); err == nil {
		t.Error("NoCreate created the database")
	}
	if err := tsdb.Init(filepath.Join(e.dir, "old")); err != nil {
		t.Fatal(err)
	}
	e.put("/db/old", "k 1 u 1\n")
}

func TestRoot_FailedFirstWriteCreatesNothing(t *testing.T) {
	e := newRootEnv(t, nil)
	e.must(http.StatusBadRequest, "PUT", "/db/new/", "k x u 1\n")
	if _, err := os.Stat(filepath.Join(e.dir, "new")); err == nil {
		t.Error("a rejected first write created the database")
	}
}

func TestRoot_NotADatabase(t *testing.T) {
	e := newRootEnv(t, nil)
	if err := os.MkdirAll(filepath.Join(e.dir, "stuff", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.must(http.StatusNotFound, "GET", "/db/stuff/k", "")
	e.must(http.StatusConflict, "PUT", "/db/stuff/", "k 1 u 1\n")
	e.must(http.StatusConflict, "DELETE", "/db/stuff?confirm=stuff", "")
	if got := e.must(http.StatusOK, "GET", "/db/", ""); got != "" {
		t.Errorf("GET /db/ lists %q", got)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "stuff", "x")); err != nil {
		t.Error(err)
	}
}

func TestRoot_Remove(t *testing.T) {
	e := newRootEnv(t, nil)
	e.put("/db/a", "k 1 u 1\n")
	e.put("/db/b", "k 1 u 1\n")
	for _, path := range []string{"/db/a", "/db/a?confirm=b", "/db/a?confirm=A", "/db/a/?confirm="} {
		code, got := e.do("DELETE", path, "")
		if code != http.StatusBadRequest || !strings.Contains(got, "confirm=a") {
			t.Errorf("DELETE %s: %d %q, want 400 asking for confirm=a", path, code, got)
		}
	}
	e.must(http.StatusOK, "DELETE", "/db/a?confirm=a", "")
	e.must(http.StatusNotFound, "DELETE", "/db/a?confirm=a", "")
	e.must(http.StatusNotFound, "GET", "/db/a/k", "")
	if got := e.must(http.StatusOK, "GET", "/db/", ""); got != "b\n" {
		t.Errorf("GET /db/ after removal: %q", got)
	}
	entries, _ := os.ReadDir(e.dir)
	if len(entries) != 1 || entries[0].Name() != "b" {
		t.Errorf("root holds %v, want b only", entries)
	}
	// A write after removal creates it again, empty.
	e.put("/db/a", "k 2 u 2\n")
	if got := e.must(http.StatusOK, "GET", "/db/a/k", ""); got != "k\t2\t2\n" {
		t.Errorf("recreated database: %q", got)
	}
	e.must(http.StatusOK, "DELETE", "/db/b/?confirm=b", "")
}

func TestRoot_RemovesLeftovers(t *testing.T) {
	root := t.TempDir()
	left := filepath.Join(root, removedPrefix+"x.1")
	if err := os.MkdirAll(filepath.Join(left, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Root: root}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Error("leftover of a removal survived New")
	}
}

func TestRoot_Routes(t *testing.T) {
	e := newRootEnv(t, nil)
	e.must(http.StatusNotFound, "GET", "/k", "")
	e.must(http.StatusMethodNotAllowed, "PUT", "/db/", "k 1 u 1\n")
	e.must(http.StatusBadRequest, "PUT", "/db/a/k", "k 1 u 1\n")
}
