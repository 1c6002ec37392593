package compact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

// filter streams every merged row of view through the shell command
// o.Gegnum as `KEY<TAB>TIMESTAMP<TAB>FORMAT<TAB>VALUES` lines and writes
// what it prints, lines `KEY TIMESTAMP FORMAT VALUES`, sorted like add
// input, to the output. A failing command, or bad or unsorted output, is
// an error.
func filter(ctx context.Context, view *tsdb.Snapshot, w *output, o Options) error {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", o.Gegnum)
	cmd.Stderr = o.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--gegnum: start: %w", err)
	}
	fed := make(chan error, 1)
	go func() { fed <- feed(view, stdin, o.Layout) }()
	parseErr := parse(stdout, w, o.Layout)
	if parseErr != nil {
		cmd.Process.Kill()
		io.Copy(io.Discard, stdout)
	}
	feedErr := <-fed
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case waitErr != nil:
		return fmt.Errorf("--gegnum %q failed: %w", o.Gegnum, waitErr)
	case parseErr != nil:
		return fmt.Errorf("--gegnum output: %w", parseErr)
	}
	return feedErr
}

// feed writes the rows to the filter's stdin and closes it. A filter that
// stops reading early (grep -m1) is not an error by itself: its exit
// status says.
func feed(view *tsdb.Snapshot, stdin io.WriteCloser, layout *timefmt.Layout) error {
	rf := &text.RowFormatter{PrintFormat: true, AppendTime: timefmt.AppendNanos}
	if layout != nil {
		rf.AppendTime = layout.AppendTime
	}
	err := view.ScanAppend(&tsdb.Selector{}, 0, rf.AppendRows, func(b []byte) error {
		_, err := stdin.Write(b)
		return err
	})
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrClosedPipe) {
		err = nil
	}
	return errors.Join(err, stdin.Close())
}

// parse reads the filter's output into the compaction's output.
func parse(r io.Reader, w *output, layout *timefmt.Layout) error {
	opts := text.Options{FormatPerLine: true}
	if layout != nil {
		opts.ParseTime = layout.ParseTime
	}
	return text.Parse(r, opts, func(b *format.Block) error { return w.write(b, 0, b.Len()) })
}
