package chime_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestFixtures_Generated: the fixtures (testdata/v1db,
// format/segment/testdata/damaged) are what its generator
// makes, byte for byte (go run ./testdata/gen rewrites them): none is
// made or edited by hand.
func TestFixtures_Generated(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./testdata/gen", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/gen: %v\n%s", err, msg)
	}
	for _, dir := range []string{"testdata/v1db", "format/segment/testdata/damaged"} {
		made, err := os.ReadDir(filepath.Join(out, dir))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(made) != len(committed) {
			t.Fatalf("%s has %d files, the generator makes %d: run go run ./testdata/gen", dir, len(committed), len(made))
		}
		for _, e := range made {
			a, _ := os.ReadFile(filepath.Join(out, dir, e.Name()))
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil || !bytes.Equal(a, b) {
				t.Fatalf("%s/%s differs from what the generator makes (%v): run go run ./testdata/gen", dir, e.Name(), err)
			}
		}
	}
}
