//go:build unix

// Command measure runs a command several times as a whole process and
// reports its median wall time and its peak resident set size:
//
//	go run ./internal/tools/measure -n 5 -label "add u" -stdin u.txt \
//	    -setup 'rm -rf db && cp -a empty db' -- bin/chime -d db add -f u
//
// prints
//
//	add u: median 1.234s (min 1.200s, max 1.300s, n=5), peak RSS 14.2 MiB
//
// The command is executed directly, not through a shell, unless -shell is
// given (then its arguments are joined with spaces and run by /bin/sh -c, and
// the peak RSS is the largest of the shell and the processes it waited for).
// -setup runs through /bin/sh -c before every run and is not timed. Stdin is
// -stdin (default /dev/null), stdout goes to -stdout (default /dev/null),
// stderr is kept and shown if a run fails; measure then exits with status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	runs    int
	warmup  int
	label   string
	stdin   string
	stdout  string
	setup   string
	note    string
	shell   bool
	ms      bool
	timeout time.Duration
}

// sample is the outcome of one successful run.
type sample struct {
	wall   time.Duration
	maxRSS int64 // bytes
}

func main() {
	o, argv, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(2)
	}
	line, err := measure(o, argv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "measure: %s: %v\n", strings.TrimSpace(o.label), err)
		os.Exit(1)
	}
	fmt.Println(line)
}

func parseFlags(args []string) (options, []string, error) {
	var o options
	fs := flag.NewFlagSet("measure", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: measure [flags] -- command [args...]")
		fs.PrintDefaults()
	}
	fs.IntVar(&o.runs, "n", 5, "number of timed runs")
	fs.IntVar(&o.warmup, "warmup", 0, "untimed runs before the timed ones (with setup)")
	fs.StringVar(&o.label, "label", "", "label of the result line (default: the command)")
	fs.StringVar(&o.stdin, "stdin", "", "file to feed on stdin (default /dev/null)")
	fs.StringVar(&o.stdout, "stdout", os.DevNull, "file to write stdout to, truncated every run")
	fs.StringVar(&o.setup, "setup", "", "shell command run before every run, not timed")
	fs.StringVar(&o.note, "note", "", "text appended to the result line (e.g. the target)")
	fs.BoolVar(&o.shell, "shell", false, "run the command through /bin/sh -c")
	fs.BoolVar(&o.ms, "ms", false, "report times in milliseconds")
	fs.DurationVar(&o.timeout, "timeout", 0, "kill a run after this long (0: never)")
	if err := fs.Parse(args); err != nil {
		return o, nil, err
	}
	argv := fs.Args()
	switch {
	case len(argv) == 0:
		return o, nil, errors.New("no command given (usage: measure [flags] -- command [args...])")
	case o.runs < 1:
		return o, nil, errors.New("-n must be at least 1")
	case o.warmup < 0:
		return o, nil, errors.New("-warmup must not be negative")
	}
	if o.label == "" {
		o.label = strings.Join(argv, " ")
	}
	return o, argv, nil
}

// measure does the warm-up and timed runs and formats the result line.
func measure(o options, argv []string) (string, error) {
	errFile, err := os.CreateTemp("", "measure-stderr-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(errFile.Name())
	defer errFile.Close()
	var samples []sample
	for i := range o.warmup + o.runs {
		s, err := runOnce(o, argv, errFile)
		if err != nil {
			return "", fmt.Errorf("run %d of %d: %w", i+1, o.warmup+o.runs, err)
		}
		if i >= o.warmup {
			samples = append(samples, s)
		}
	}
	return summarize(o, samples), nil
}

// runOnce runs the setup, then the command once, timed.
func runOnce(o options, argv []string, errFile *os.File) (sample, error) {
	if o.setup != "" {
		out, err := exec.Command("/bin/sh", "-c", o.setup).CombinedOutput()
		if err != nil {
			if len(out) > 0 {
				err = fmt.Errorf("%w\n%s", err, strings.TrimRight(string(out), "\n"))
			}
			return sample{}, fmt.Errorf("setup %q: %w", o.setup, err)
		}
	}
	ctx := context.Background()
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	cmd := command(ctx, o, argv)
	in, err := os.Open(stdinName(o))
	if err != nil {
		return sample{}, err
	}
	defer in.Close()
	out, err := os.Create(o.stdout)
	if err != nil {
		return sample{}, err
	}
	defer out.Close()
	if err := rewind(errFile); err != nil {
		return sample{}, err
	}
	// Files, not buffers, so that no copying goroutine runs during the
	// measurement: the child writes straight to them.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, errFile

	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %v", ctx.Err(), o.timeout)
		}
		return sample{}, fmt.Errorf("%s: %w%s", strings.Join(argv, " "), err, stderrTail(errFile))
	}
	return sample{wall: wall, maxRSS: maxRSS(cmd.ProcessState)}, nil
}

func command(ctx context.Context, o options, argv []string) *exec.Cmd {
	if o.shell {
		return exec.CommandContext(ctx, "/bin/sh", "-c", strings.Join(argv, " "))
	}
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

func stdinName(o options) string {
	if o.stdin == "" {
		return os.DevNull
	}
	return o.stdin
}

func rewind(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// stderrTail returns the last few KiB of what the failed run wrote on
// stderr, as lines to append to an error.
func stderrTail(f *os.File) string {
	const max = 4 << 10
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil || size == 0 {
		return ""
	}
	off := size - max
	if off < 0 {
		off = 0
	}
	buf := make([]byte, size-off)
	n, _ := f.ReadAt(buf, off)
	text := strings.TrimRight(string(buf[:n]), "\n")
	if off > 0 {
		text = "...\n" + text
	}
	return "\nstderr:\n" + text
}

// maxRSS returns the peak resident set size of a finished process in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) // bytes
	}
	return int64(ru.Maxrss) << 10 // KiB elsewhere
}

// summarize formats the result line: median, min and max wall time, and the
// largest peak RSS of all runs.
func summarize(o options, samples []sample) string {
	walls := make([]time.Duration, len(samples))
	var rss int64
	for i, s := range samples {
		walls[i] = s.wall
		rss = max(rss, s.maxRSS)
	}
	slices.Sort(walls)
	line := fmt.Sprintf("%s: median %s (min %s, max %s, n=%d), peak RSS %.1f MiB",
		o.label, seconds(median(walls), o.ms), seconds(walls[0], o.ms),
		seconds(walls[len(walls)-1], o.ms), len(walls), float64(rss)/(1<<20))
	if o.note != "" {
		line += "  [" + o.note + "]"
	}
	return line
}

// median returns the median of sorted durations.
func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func seconds(d time.Duration, ms bool) string {
	if ms {
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3fs", d.Seconds())
}
