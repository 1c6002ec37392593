// Command hello is the bare Go program that scripts/bench.sh times beside
// `chime --version`: built by the same toolchain in the same run, it is the
// start-up floor of any Go program on the machine, so that chime's own
// start-up cost reads as the difference.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello\n")
}
