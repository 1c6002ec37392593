package vfs

import (
	"fmt"
	"syscall"
)

// fuseMagic is FUSE_SUPER_MAGIC, the statfs type of sshfs and friends.
const fuseMagic = 0x65735546

func onFUSE(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == fuseMagic
}

// Free is the space available to new files in the directory's file
// system.
func (d *Dir) Free() (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(d.path, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", d.path, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
