//go:build darwin || freebsd

package vfs

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// onFUSE reports whether dir is on a FUSE file system (macFUSE, fusefs).
func onFUSE(dir string) bool {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return false
	}
	name := unix.ByteSliceToString(fsTypeName(&st))
	return strings.Contains(name, "fuse")
}

// Free is the space available to new files in the directory's file
// system.
func (d *Dir) Free() (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(d.path, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", d.path, err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
