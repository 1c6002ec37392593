package vfs

import "errors"

// errShortRead is wrapped when a read asks for bytes past the end of an
// object.
var errShortRead = errors.New("short read: past the end of the object")
