//go:build chimebroken_nodirsync

package tsdb

// skipDirSync makes osFS.SyncDir a no-op in a deliberately broken build
// (go build -tags chimebroken_nodirsync): a commit then reports success
// before its link is durable. The power-cut test builds chime so to prove
// that it detects lost acknowledged rows (cmd/chime/powercut_test.go).
// Never ship it.
const skipDirSync = true
