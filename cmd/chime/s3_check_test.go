package main

import (
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// TestS3_CheckRepair: a transaction object damaged at rest makes reads
// fail; check names it, and check --repair copies it aside to
// NAME.damaged and deletes it, so that the database reads again without
// its rows, main untouched.
func TestS3_CheckRepair(t *testing.T) {
	loc := s3Location(t)
	chime(t, "", "init", loc)
	chime(t, "a 1 1\nb 1 2\n", "-d", loc, "add", "-f", "u")
	chime(t, "", "-d", loc, "compact", "--major")
	chime(t, "c 1 3\nc 2 4\n", "-d", loc, "add", "-f", "u")
	tx := damageTransaction(t, loc)

	out, err := runChime("", "-d", loc, "read", "%")
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("read of a damaged database: %q, %v", out, err)
	}
	if out, err := runChime("", "-d", loc, "check"); err == nil {
		t.Fatalf("check of a damaged database passed: %q", out)
	}
	out = chime(t, "", "-d", loc, "check", "--repair")
	moved := regexp.MustCompile(`check: moved ` + regexp.QuoteMeta(tx) + ` aside to ` + regexp.QuoteMeta(tx) + `\.damaged: dropped its 2 rows`)
	if !moved.MatchString(out) {
		t.Fatalf("check --repair said %q", out)
	}
	if got := readAll(t, loc); got != "a\t1\t1\nb\t1\t2\n" {
		t.Fatalf("after the repair: %q", got)
	}
	names := listNames(t, loc)
	if slices.Contains(names, tx) || !slices.Contains(names, tx+".damaged") {
		t.Fatalf("after the repair the store holds %v", names)
	}
	chime(t, "", "-d", loc, "check")
}

// damageTransaction replaces the one transaction object of loc by a copy
// with one byte of its first block changed (its checksums do not match
// any more) and returns its name.
func damageTransaction(t *testing.T, loc string) string {
	t.Helper()
	st, err := s3.Open(loc, s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var tx string
	for _, name := range listNames(t, loc) {
		if strings.HasPrefix(name, "tx.") {
			tx = name
		}
	}
	f, err := st.Open(tx, "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	data[20] ^= 0xff // in the first block, after the 16-byte header
	if err := st.Remove(tx); err != nil {
		t.Fatal(err)
	}
	p, err := st.Create()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(tx); err != nil {
		t.Fatal(err)
	}
	return tx
}
