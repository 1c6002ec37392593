//go:build !chimebroken_nodirsync

package tsdb

// skipDirSync is false in every real build: see syncdir_broken.go.
const skipDirSync = false
