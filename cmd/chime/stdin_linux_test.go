package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
)

// A regular file on stdin is parsed in place (mapInput): from the read
// offset on, over several chunks, as a pipe would be, and stdin's offset
// is left at the end, as reading it would have.
func TestAdd_StdinFile(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("skipped 1 1\n")
	for i := range 200000 { // about 4 MiB: several chunks and pages
		fmt.Fprintf(&sb, "k%03d %d %d\n", i/1000, i, i)
	}
	input := sb.String()
	pipeDB, fileDB := filepath.Join(t.TempDir(), "p"), filepath.Join(t.TempDir(), "f")
	chime(t, "", "init", pipeDB)
	chime(t, "", "init", fileDB)
	skip := strings.IndexByte(input, '\n') + 1
	chime(t, input[skip:], "-d", pipeDB, "add", "-f", "u")

	f := stdinFile(t, input)
	defer f.Close()
	if _, err := f.Seek(int64(skip), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, stderr, status := runWith(t, f, "-d", fileDB, "add", "-f", "u"); status != 0 {
		t.Fatalf("add from a file: status %d, %s", status, stderr)
	}
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != int64(len(input)) {
		t.Errorf("stdin offset %d after add, want the end, %d", pos, len(input))
	}
	want := chime(t, "", "-d", pipeDB, "read", "%", "--timestamp-nanos")
	if got := chime(t, "", "-d", fileDB, "read", "%", "--timestamp-nanos"); got != want || strings.Count(got, "\n") != 200000 {
		t.Errorf("rows added from a file differ from those added from a pipe (%d and %d lines)", strings.Count(got, "\n"), strings.Count(want, "\n"))
	}
}

// A mapped input truncated while it is parsed faults; the parse fails with
// an error instead of the process dying of SIGBUS. The chunker meets the
// fault in a large input (it looks for line ends near each chunk's end);
// in an input of one chunk, the parser does.
func TestParseBytes_TruncatedMapping(t *testing.T) {
	for _, tc := range []struct {
		rows     int
		truncate int64
		lineErr  bool
	}{{300000, 1 << 20, false}, {40000, 256 << 10, true}} {
		t.Run(fmt.Sprintf("rows=%d", tc.rows), func(t *testing.T) {
			data := truncatedMapping(t, tc.rows, tc.truncate)
			err := text.ParseBytes(data, text.Options{Format: "u"}, func(*format.Block) error { return nil }, nil)
			var le *text.LineError
			if err == nil || !strings.Contains(err.Error(), "input file changed") || errors.As(err, &le) != tc.lineErr {
				t.Fatalf("ParseBytes of a truncated mapping: %v, want an error saying the input changed (a line error: %v)", err, tc.lineErr)
			}
		})
	}
}

// truncatedMapping maps a file of n rows, then truncates the file to size
// bytes: reading the mapping past the page holding size faults.
func truncatedMapping(t *testing.T, n int, size int64) []byte {
	t.Helper()
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "k%03d %d %d\n", i/1000, i, i)
	}
	name := filepath.Join(t.TempDir(), "rows")
	if err := os.WriteFile(name, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, sb.Len(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(data) })
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return data
}
