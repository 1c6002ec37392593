//go:build !unix

package vfs

import (
	"fmt"
	"io/fs"
)

// versionOf is a file's size and modification time where no inode is
// known.
func versionOf(fi fs.FileInfo) Version {
	return Version(fmt.Sprintf("%x.%x", fi.Size(), fi.ModTime().UnixNano()))
}
