package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// readParallel splits the selected rows by contiguous key ranges of about
// equal size, a key never straddling two, and pipes each range into its own
// `sh -c CMD`, one per CPU; the children's stdout is inherited.
func readParallel(snap *tsdb.Snapshot, sel *tsdb.Selector, rf *text.RowFormatter, command string) error {
	n := runtime.NumCPU()
	sels, err := splitByKeys(snap, sel, n)
	if err != nil {
		return err
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = feedChild(snap, sels[i], rf, command, i+1)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// splitByKeys cuts the selection into n selectors of contiguous key ranges
// holding about the same number of rows (by the index). Ranges past the
// last key select nothing.
func splitByKeys(snap *tsdb.Snapshot, sel *tsdb.Selector, n int) ([]*tsdb.Selector, error) {
	var keys [][]byte
	var rows []int
	total := 0
	err := snap.Keys(sel, func(key []byte, r int) error {
		keys, rows, total = append(keys, key), append(rows, r), total+r
		return nil
	})
	if err != nil {
		return nil, err
	}
	starts := make([][]byte, 0, n) // first key of each non-empty part
	acc := 0
	for i, k := range keys {
		if len(starts) == 0 || acc >= total*len(starts)/n && len(starts) < n {
			starts = append(starts, k)
		}
		acc += rows[i]
	}
	sels := make([]*tsdb.Selector, n)
	for i := range sels {
		s := *sel
		switch {
		case i >= len(starts):
			s.Filters = [][]byte{{}} // selects nothing
		default:
			if i > 0 {
				s.AfterKey, s.HasAfterKey = starts[i], true
			}
			if i+1 < len(starts) {
				s.BeforeKey, s.HasBeforeKey = starts[i+1], true
			}
		}
		sels[i] = &s
	}
	return sels, nil
}

// feedChild runs one `sh -c command` and writes the rows of sel to its
// stdin.
func feedChild(snap *tsdb.Snapshot, sel *tsdb.Selector, rf *text.RowFormatter, command string, i int) error {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--parallel: start child %d: %w", i, err)
	}
	scanErr := snap.ScanAppend(sel, 1, rf.AppendRows, func(b []byte) error {
		_, err := in.Write(b)
		return err
	})
	if errors.Is(scanErr, syscall.EPIPE) || errors.Is(scanErr, io.ErrClosedPipe) {
		scanErr = nil // the child stopped reading: its exit status tells
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("--parallel: child %d (sh -c %q): %w", i, command, err)
	}
	return scanErr
}
