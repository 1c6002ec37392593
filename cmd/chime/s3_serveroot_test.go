package main

import (
	"testing"

	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// TestS3_ServeRoot: serve --root s3://BUCKET/PREFIX creates a database on
// its first write, lists and reads them, and removes one by writing its
// tombstone and deleting its objects; written again, the name is a fresh
// incarnation in which the removed rows never come back.
func TestS3_ServeRoot(t *testing.T) {
	root := s3Location(t) // the environment reaches the server
	p := startServeArgs(t, "--root", root)
	url := p.url
	must := func(want int, method, path, body string) string {
		t.Helper()
		code, got := request(t, method, url+path, body, "")
		if code != want {
			t.Fatalf("%s %s: %d %q, want %d", method, path, code, got, want)
		}
		return got
	}

	if got := must(200, "GET", "/db/", ""); got != "" {
		t.Fatalf("empty root lists %q", got)
	}
	must(404, "GET", "/db/sensors/k", "")
	must(201, "PUT", "/db/sensors", "k 1 u 1\n")
	must(201, "PUT", "/db/app", "k 2 u 2\n")
	if got := must(200, "GET", "/db/sensors/k", ""); got != "k\t1\t1\n" {
		t.Errorf("GET /db/sensors/k: %q", got)
	}
	if got := must(200, "GET", "/db/", ""); got != "app\nsensors\n" {
		t.Errorf("GET /db/: %q", got)
	}
	// The database is an incarnation under the name: chime reads it too.
	first := root + "/sensors/0000000000000000"
	if got := readAll(t, first); got != "k\t1\t1\n" {
		t.Errorf("chime read %s: %q", first, got)
	}

	must(200, "DELETE", "/db/sensors?confirm=sensors", "")
	must(404, "GET", "/db/sensors/k", "")
	if got := must(200, "GET", "/db/", ""); got != "app\n" {
		t.Errorf("GET /db/ after removal: %q", got)
	}
	if names := listNames(t, first); len(names) != 0 {
		t.Errorf("the removed incarnation still holds %v", names)
	}
	tomb, err := s3.Open(root+"/sensors", s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := tomb.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name != "0000000000000000.removed" {
		t.Errorf("beside the incarnations: %v, want the tombstone", entries)
	}

	must(201, "PUT", "/db/sensors", "k 3 u 3\n")
	if got := must(200, "GET", "/db/sensors/k", ""); got != "k\t3\t3\n" {
		t.Errorf("written again: %q", got)
	}
	if got := readAll(t, root+"/sensors/0000000000000001"); got != "k\t3\t3\n" {
		t.Errorf("the new incarnation reads %q", got)
	}

	p.stop(t)
}
