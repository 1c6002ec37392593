package main

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stdout writes rendered rows to the standard output. A closed pipe
// (chime read % | head) ends the command quietly with status 0.
type stdout struct{ w io.Writer }

func newStdout() *stdout {
	// With SIGPIPE ignored a write to a closed pipe returns EPIPE instead
	// of killing the process, so the command can end quietly.
	signal.Ignore(syscall.SIGPIPE)
	return &stdout{os.Stdout}
}

func (s *stdout) write(b []byte) error {
	if _, err := s.w.Write(b); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return errQuiet
		}
		return err
	}
	return nil
}
