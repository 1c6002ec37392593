//go:build !(linux || darwin || freebsd)

package vfs

import (
	"fmt"
	"runtime"
)

func onFUSE(dir string) bool { return false }

// Free is unknown here: free-space checks are skipped.
func (d *Dir) Free() (uint64, error) {
	return 0, fmt.Errorf("free space on %s: %w", runtime.GOOS, ErrUnsupported)
}
