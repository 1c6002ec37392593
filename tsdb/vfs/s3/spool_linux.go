package s3

import (
	"os"

	"golang.org/x/sys/unix"
)

// newSpool creates the local spool of an upload as a file without a
// name (O_TMPFILE): a writer killed at any moment leaves nothing behind.
// A file system without O_TMPFILE gets a named file, unlinked at once.
func newSpool() (*os.File, string, error) {
	dir := os.TempDir()
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return namedSpool()
	}
	return os.NewFile(uintptr(fd), dir+"/(chime upload spool)"), "", nil
}
