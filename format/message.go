package format

import (
	"strconv"
	"strings"
)

// The helpers of error messages, which every layer writes about rows.

// Quote quotes b for an error message, shortened to its first 64 bytes:
// a key, a line or a value may be megabytes long.
func Quote(b []byte) string {
	const limit = 64
	if len(b) > limit {
		return strconv.Quote(string(b[:limit])) + "..."
	}
	return strconv.Quote(string(b))
}

// OneLine keeps a message on one line: errors joined with errors.Join, or
// with input quoted in them, may hold line breaks, and chime's errors are
// one line on stderr or in an HTTP answer.
func OneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
