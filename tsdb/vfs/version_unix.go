//go:build unix

package vfs

import (
	"fmt"
	"io/fs"
	"syscall"
)

// versionOf is a file's identity: device, inode, size and modification
// time. A file replaced by rename, or removed and made again, has
// another.
func versionOf(fi fs.FileInfo) Version {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return Version(fmt.Sprintf("%x.%x.%x.%x", uint64(st.Dev), uint64(st.Ino), fi.Size(), fi.ModTime().UnixNano()))
	}
	return Version(fmt.Sprintf("%x.%x", fi.Size(), fi.ModTime().UnixNano()))
}
