//go:build !chimebroken_nodirsync

package vfs

// skipDirSync is set only in a deliberately broken build (the tag
// chimebroken_nodirsync), which the power-cut suite uses to show that it
// catches a missing directory fsync.
const skipDirSync = false
