//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package vfs

import (
	"fmt"
	"os"
	"runtime"
)

// flock is not available here: writing to a local database needs flock(2)
// (see the README: other platforms read databases but do not write them).
func flock(f *os.File, wait bool) error {
	return fmt.Errorf("file locks on %s: %w", runtime.GOOS, ErrUnsupported)
}
