// Command chime is a command-line time-series database: sorted text rows in
// with `add`, merged rows out with `read`, sonnerie's text interface.
package main

import (
	"fmt"
	"os"

	"github.com/chime-tsdb/chime/format"
)

func main() {
	err := newRootCmd(os.Args[1:]).Execute()
	if err != nil && !isQuiet(err) {
		fmt.Fprintf(os.Stderr, "chime: %s%s\n", format.OneLine(err.Error()), hint(err))
	}
	os.Exit(exitCode(err))
}
