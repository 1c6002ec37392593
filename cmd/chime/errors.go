package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/tsdb"
)

// Exit statuses, as sonnerie users' scripts expect them.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitLocked      = 3
	exitInterrupted = 130
)

// usageError marks a bad command line: unknown, missing or conflicting
// flags or arguments (exit status 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(msg string, args ...any) error {
	return &usageError{fmt.Errorf(msg, args...)}
}

// runError marks an error raised while running a command, as opposed to
// one cobra raised while reading the command line (unknown command, missing
// required or conflicting flags), which are all usage errors.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// runE adapts a command's work function: its errors are run errors unless
// they say they are usage errors.
func runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		var ue *usageError
		if err == nil || errors.As(err, &ue) {
			return err
		}
		return &runError{err}
	}
}

// errQuiet ends the command with status 0 and no message: the reader of
// stdout went away (chime read % | head).
var errQuiet = errors.New("output closed")

func isQuiet(err error) bool { return errors.Is(err, errQuiet) }

var errInterrupted = errors.New("interrupted")

func exitCode(err error) int {
	var re *runError
	switch {
	case err == nil || isQuiet(err):
		return exitOK
	case !errors.As(err, &re):
		return exitUsage
	case errors.Is(err, tsdb.ErrLocked):
		return exitLocked
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	}
	return exitFailure
}

// hint says what to run after an error that needs more than a retry.
func hint(err error) string {
	if errors.Is(err, segment.ErrCorrupt) {
		return " (run chime check: it lists every damaged file; check --repair moves damaged transactions aside)"
	}
	return ""
}
