package segment

import (
	"errors"

	"github.com/chime-tsdb/chime/format/segment/codec"
)

// ErrCorrupt is chime's one corruption sentinel: every detector of bytes a
// writer cannot have produced (a bad checksum, length, codec or count, a
// value out of range, trailing bytes) returns an error wrapping it, so that
// callers can tell a damaged file from an I/O or usage error with
// errors.Is and say which file to check. The column codecs below this
// package wrap the same value.
var ErrCorrupt = codec.ErrCorrupt

// ErrVersion is wrapped when a segment was written by a layout version
// this package does not read.
var ErrVersion = errors.New("unsupported segment version")

// ErrOrder is wrapped by the errors of rows written out of (key, time)
// order.
var ErrOrder = errors.New("out of order")
