//go:build !linux

package s3

import "os"

// newSpool creates the local spool of an upload (see namedSpool).
func newSpool() (*os.File, string, error) { return namedSpool() }
