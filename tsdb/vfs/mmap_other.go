//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package vfs

import "os"

// mapFile reads with pread where mmap is not used.
func mapFile(f *os.File, size int64, v Version) (File, error) {
	g, err := os.Open(f.Name())
	if err != nil {
		return nil, err
	}
	return &plainFile{File: g, size: size, version: v}, nil
}
