package main

// The command-line tests: every testdata/script/*.txtar file is a
// testscript (github.com/rogpeppe/go-internal/testscript) that drives the
// real chime command, one behaviour per file. Those ported from sonnerie
// transcripts say so in their first lines.
//
// TestMain installs this test binary on the scripts' $PATH under the name
// "chime"; run under that name it calls main, which exits with chime's
// status. Scripts must say "exec chime ..." (RequireExplicitExec).
//
// Besides testscript's builtins, scripts have two commands:
//
//	exitcode N program [args...]
//	    Like exec, but the program must exit with status exactly N.
//	    "! exec" only asserts "non-zero", while chime's contract tells
//	    2 (usage) from 1 (bad input, I/O) and 130 (interrupted). The
//	    standard input set by "stdin" is used, and stdout and stderr are
//	    captured for the stdout, stderr and cmp commands, as with exec.
//
//	errline [regexp...]
//	    The last command's stderr is exactly one line, starting "chime: ",
//	    and matches every regexp (chime's error-message contract). The
//	    wording of messages is chime's own, so scripts match loosely: the
//	    line number and the offending text, not whole sentences.
//
// Run one script with go test ./cmd/chime -run TestScript/add_basics.
// With -update, cmp commands that compare stdout or stderr with a file
// of the archive rewrite that file from the actual output; review the diff.

import (
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/chime-tsdb/chime/internal/s3test"
)

var update = flag.Bool("update", false, "rewrite the cmp files of testdata/script/*.txtar from the actual output")

func TestMain(m *testing.M) {
	testscript.Main(exitHook{m}, map[string]func(){"chime": chimeS3})
}

// exitHook stops the shared S3 server (if a test started one) once the
// tests have run.
type exitHook struct{ m *testing.M }

func (h exitHook) Run() int {
	defer s3test.StopShared()
	return h.m.Run()
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Condition: func(cond string) (bool, error) {
			if cond == "s3" {
				return false, nil // TestScriptS3 runs the scripts on S3
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"errline":  cmdErrline,
			"pngsize":  cmdPNGSize,
		},
	})
}

// cmdExitcode implements "exitcode N program [args...]".
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode (give the expected status instead)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 || want > 255 {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = exitErr.ExitCode()
		if got < 0 { // killed by a signal
			ts.Fatalf("%s: %v, want exit status %d", args[1], err, want)
		}
	}
	if got != want {
		ts.Fatalf("%s: exit status %d, want %d", args[1], got, want)
	}
}

// cmdErrline implements "errline [regexp...]".
func cmdErrline(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! errline")
	}
	stderr := ts.ReadFile("stderr")
	line, ok := strings.CutSuffix(stderr, "\n")
	if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, "chime: ") {
		ts.Fatalf("stderr is not one line starting %q: %q", "chime: ", stderr)
	}
	for _, pattern := range args {
		re, err := regexp.Compile(pattern)
		if err != nil {
			ts.Fatalf("errline: %v", err)
		}
		if !re.MatchString(line) {
			ts.Fatalf("stderr %q does not match %q", line, pattern)
		}
	}
}
