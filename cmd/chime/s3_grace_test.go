package main

import (
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// TestS3_GraceZero: with --grace 0 a compaction removes what earlier
// compactions replaced, whatever its age, and the default grace keeps it.
// (tsdb's zero Grace means its default: the command line must not pass
// --grace 0 through as that.)
func TestS3_GraceZero(t *testing.T) {
	loc := s3Location(t)
	chime(t, "", "init", loc)
	chime(t, "a 1 1\n", "-d", loc, "add", "-f", "u")
	chime(t, "", "-d", loc, "compact", "--major")
	chime(t, "a 2 2\n", "-d", loc, "add", "-f", "u")
	chime(t, "", "-d", loc, "compact", "--major")
	// The first compaction's inputs are within the default grace period.
	if n := len(listNames(t, loc)); n != 5 {
		t.Fatalf("after two compactions with the default grace: %v, want 5 objects", listNames(t, loc))
	}
	chime(t, "a 3 3\n", "-d", loc, "add", "-f", "u")
	chime(t, "", "-d", loc, "compact", "--major", "--grace", "0")
	// It swept what the second main includes before publishing a third,
	// which includes the rest.
	got := listNames(t, loc)
	want := []string{"main.0000000000000002", "main.0000000000000003", "tx.0000000000000003"}
	if !slices.Equal(got, want) {
		t.Fatalf("after compact --grace 0: %v, want %v", got, want)
	}
	if got := readAll(t, loc); got != "a\t1\t1\na\t2\t2\na\t3\t3\n" {
		t.Fatalf("reads %q", got)
	}
	out, err := runChime("", "-d", loc, "compact", "--grace", "-1s")
	if err == nil {
		t.Fatalf("compact --grace -1s succeeded: %q", out)
	}
}

// listNames lists the published names of the database at loc.
func listNames(t *testing.T, loc string) []string {
	t.Helper()
	st, err := s3.Open(loc, s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	slices.Sort(names)
	return names
}
