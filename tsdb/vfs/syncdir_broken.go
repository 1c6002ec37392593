//go:build chimebroken_nodirsync

package vfs

// skipDirSync: this build does not fsync directories (see syncdir.go).
const skipDirSync = true
