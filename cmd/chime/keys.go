package main

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

type keysOptions struct {
	bounds
	prefix, suffix, startAfter string
	limit, offset              int
	reverse, count, json       bool
}

func newKeysCmd(g *globals) *cobra.Command {
	o := &keysOptions{}
	cmd := &cobra.Command{
		Use:   "keys [FILTER...]",
		Short: "List the keys that have rows, in byte order",
		Long: "List the distinct keys that have at least one row, one per line, escaped as\n" +
			"read prints them (--json: one JSON string per line). Without a FILTER, every key.",
		RunE: runE(func(cmd *cobra.Command, a []string) error {
			return runKeys(cmd, g, o, a)
		}),
	}
	o.bounds.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.prefix, "prefix", "", "only keys starting with this")
	f.StringVar(&o.suffix, "suffix", "", "only keys ending with this")
	f.StringVar(&o.startAfter, "start-after", "", "only keys after this one (before it with --reverse), for paging")
	f.IntVar(&o.limit, "limit", 0, "list at most this many keys (0: all)")
	f.IntVar(&o.offset, "offset", 0, "skip this many keys first")
	f.BoolVar(&o.reverse, "reverse", false, "list in descending order")
	f.BoolVar(&o.count, "count", false, "print only how many keys would be listed")
	f.BoolVar(&o.json, "json", false, "print JSON: a string per key per line, or {\"count\":N}")
	return cmd
}

func runKeys(cmd *cobra.Command, g *globals, o *keysOptions, filters []string) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	if o.limit < 0 || o.offset < 0 {
		return usagef("keys: --limit and --offset cannot be negative")
	}
	sel, err := o.selector(cmd, filters)
	if err != nil {
		return err
	}
	snap, err := g.openSnapshot(dir)
	if err != nil {
		return err
	}
	defer snap.Close()
	opts := tsdb.KeyListOptions{Prefix: []byte(o.prefix), Suffix: []byte(o.suffix), StartAfter: []byte(o.startAfter),
		Limit: o.limit, Offset: o.offset, Reverse: o.reverse}
	w := newLineWriter()
	if o.count {
		return o.printCount(snap, sel, opts, w)
	}
	err = snap.ListKeys(sel, opts, func(key []byte) error {
		return w.line(func(dst []byte) []byte {
			if o.json {
				return text.AppendJSONString(dst, key)
			}
			return text.AppendEscaped(dst, key)
		})
	})
	return w.flush(err)
}

// printCount prints how many keys the listing would print.
func (o *keysOptions) printCount(snap *tsdb.Snapshot, sel *tsdb.Selector, opts tsdb.KeyListOptions, w *lineWriter) error {
	n := 0
	err := snap.ListKeys(sel, opts, func([]byte) error { n++; return nil })
	if err == nil {
		err = w.line(func(dst []byte) []byte {
			if !o.json {
				return strconv.AppendInt(dst, int64(n), 10)
			}
			dst = strconv.AppendInt(append(dst, `{"count":`...), int64(n), 10)
			return append(dst, '}')
		})
	}
	return w.flush(err)
}

// lineWriter gathers lines for stdout and writes them in large chunks.
type lineWriter struct {
	out *stdout
	buf []byte
}

func newLineWriter() *lineWriter {
	return &lineWriter{out: newStdout(), buf: make([]byte, 0, 64<<10)}
}

// line appends one line, made by appendLine, and writes out a full buffer.
func (w *lineWriter) line(appendLine func(dst []byte) []byte) error {
	w.buf = append(appendLine(w.buf), '\n')
	if len(w.buf) < 60<<10 {
		return nil
	}
	err := w.out.write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// flush writes what is left unless err is set, and returns err or the
// write's error.
func (w *lineWriter) flush(err error) error {
	if err != nil || len(w.buf) == 0 {
		return err
	}
	return w.out.write(w.buf)
}
