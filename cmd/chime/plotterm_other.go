//go:build !unix

package main

import "os"

// terminalSize reports no terminal: the chart takes the default size.
func terminalSize(*os.File) (cols, rows int, ok bool) { return 0, 0, false }
