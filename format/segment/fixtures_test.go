package segment

import (
	"bytes"
	"embed"
	"errors"
	"testing"
)

// damagedFixtures are the segments of testdata/damaged, made by
// testdata/gen at the repository's root; embedded, so that format's tests
// too stay off the file system.
//
//go:embed testdata/damaged
var damagedFixtures embed.FS

// TestFixtures_Damaged reads the damaged files of testdata/damaged (made
// by testdata/gen): each is refused with the sentinel of its kind of
// damage, and the undamaged one reads its three rows.
func TestFixtures_Damaged(t *testing.T) {
	want := map[string]error{
		"good.seg":             nil,
		"block-byte.seg":       ErrCorrupt,
		"header-magic.seg":     ErrCorrupt,
		"footer-crc.seg":       ErrCorrupt,
		"truncated.seg":        ErrCorrupt,
		"garbage-appended.seg": ErrCorrupt,
		"footer-version.seg":   ErrVersion,
		"too-short.seg":        ErrCorrupt,
	}
	entries, err := damagedFixtures.ReadDir("testdata/damaged")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Fatalf("%d fixtures in testdata/damaged, want %d (run go run ./testdata/gen)", len(entries), len(want))
	}
	for name, sentinel := range want {
		t.Run(name, func(t *testing.T) {
			data, err := damagedFixtures.ReadFile("testdata/damaged/" + name)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readSegment(data, "")
			switch {
			case sentinel == nil && (err != nil || len(rows) != 3):
				t.Fatalf("read %d rows, %v", len(rows), err)
			case sentinel != nil && !errors.Is(err, sentinel):
				t.Fatalf("error %v, want %v", err, sentinel)
			}
			if sentinel == ErrVersion && errors.Is(err, ErrCorrupt) {
				t.Fatalf("a newer version called damage: %v", err)
			}
			if _, err := Open(bytes.NewReader(data), int64(len(data))); sentinel == nil && err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFixtures_Verify: Verify finds the damage of a block Open does not
// read, and still says what keys the file held.
func TestFixtures_Verify(t *testing.T) {
	for name, wantErr := range map[string]bool{"good.seg": false, "block-byte.seg": true} {
		data, err := damagedFixtures.ReadFile("testdata/damaged/" + name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: open: %v", name, err)
		}
		keys, err := r.Verify()
		if (err != nil) != wantErr || wantErr && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: Verify: %v", name, err)
		}
		if !keys.OK || string(keys.First) != "a" || string(keys.Last) != "c" {
			t.Fatalf("%s: keys %q..%q (%v)", name, keys.First, keys.Last, keys.OK)
		}
	}
}
