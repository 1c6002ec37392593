package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// readFollow is read --follow: print what matches, then the matching rows
// of every transaction committed afterwards, in commit order, until
// SIGINT or SIGTERM (exit status 130, as for any interrupted command).
// Deletes do not retract printed rows. See tsdb.Follower for how
// compactions are kept from printing a row twice.
func readFollow(db *tsdb.DB, sel *tsdb.Selector, rf *text.RowFormatter, o *readOptions) error {
	f, err := db.Follow(sel)
	if err != nil {
		return err
	}
	defer f.Close()
	out := newStdout()
	render, err := o.printRows(f.Snapshot(), sel, rf, out.write)
	if err != nil {
		return err
	}
	// Only now: a ^C during the first, maybe long, print kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = f.Run(ctx, o.followInterval, render, out.write)
	if errors.Is(err, context.Canceled) {
		return errInterrupted
	}
	return err
}
