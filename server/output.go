package server

import (
	"sync"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
	"github.com/chime-tsdb/chime/tsdb"
)

// output is how a read renders rows: text as sonnerie-serve printed it
// (KEY<TAB>NANOS<TAB>VALUES), or the JSON lines and CSV of the README's
// machine-readable schema.
type output struct {
	contentType string
	header      []byte // written before the first row (CSV)
	render      tsdb.AppendFunc
	out         *text.Output // its header is sized by prepare
	agg         *aggRead     // an aggregated read, or nil
}

// humanLayout is sonnerie-serve's ?human timestamp format.
var humanLayout = sync.OnceValue(func() *timefmt.Layout {
	l, err := timefmt.ParseLayout("%FT%T")
	if err != nil {
		panic("server: " + err.Error())
	}
	return l
})

// readOutput builds the renderer from the output parameters. For an
// aggregated read (aggr not nil) the columns select the columns
// aggregated, and every result column is printed.
func readOutput(q *params, aggr *aggRead) (*output, error) {
	kind, _, err := q.str("output")
	if err != nil {
		return nil, err
	}
	cols, err := columns(q)
	if err != nil {
		return nil, err
	}
	tf, err := textFormatter(q)
	if err != nil {
		return nil, err
	}
	if kind != "" && kind != text.OutputText && (tf.AppendTime != nil || tf.PrintFormat) {
		return nil, badRequest("output=%s has its own timestamps and formats: human, timestamp-*, print-format apply to text only", kind)
	}
	if aggr != nil {
		aggr.q.Columns, cols = cols, nil
	}
	tf.Columns = cols
	out, err := text.NewOutput(kind, tf)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	return &output{contentType: contentTypes[out.Kind], out: out, render: out.Render, agg: aggr}, nil
}

// contentTypes are the media types of the outputs.
var contentTypes = map[string]string{text.OutputText: textType, text.OutputJSON: ndjsonType, text.OutputCSV: "text/csv; charset=utf-8"}

// columns reads the columns parameter, read's --columns.
func columns(q *params) (*text.ColumnSet, error) {
	list, ok, err := q.str("columns")
	if err != nil || !ok {
		return nil, err
	}
	cols, err := text.ParseColumns(list)
	if err != nil {
		return nil, badRequest("columns: %v", err)
	}
	return cols, nil
}

// textFormatter reads the text output's parameters. Timestamps are
// nanoseconds unless one of human, timestamp-format, timestamp-seconds
// says otherwise; AppendTime stays nil when none is given.
func textFormatter(q *params) (*text.RowFormatter, error) {
	f := &text.RowFormatter{}
	var err error
	if f.PrintFormat, err = q.flag("print-format"); err != nil {
		return nil, err
	}
	given := 0
	human, err := q.flag("human")
	if human {
		given++
		f.AppendTime = humanLayout().AppendTime
	}
	nanos, err2 := q.flag("timestamp-nanos")
	if nanos {
		given++
		f.AppendTime = timefmt.AppendNanos
	}
	seconds, err3 := q.flag("timestamp-seconds")
	if seconds {
		given++
		f.AppendTime = timefmt.AppendSeconds
	}
	layout, hasLayout, err4 := q.str("timestamp-format")
	if hasLayout {
		given++
		l, err := timefmt.ParseLayout(layout)
		if err != nil {
			return nil, badRequest("timestamp-format: %v", err)
		}
		f.AppendTime = l.AppendTime
	}
	if err := firstErr(err, err2, err3, err4); err != nil {
		return nil, err
	}
	if given > 1 {
		return nil, badRequest("human, timestamp-format, timestamp-nanos and timestamp-seconds exclude each other")
	}
	return f, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// prepare finishes the renderer once the snapshot is known: the CSV
// header needs the widest format among the selected rows, from the index.
func (o *output) prepare(snap *tsdb.Snapshot, sel *tsdb.Selector) error {
	if o.agg != nil {
		return o.agg.prepare(snap, sel, o)
	}
	if !o.out.NeedsWidth() {
		return nil
	}
	width, err := snap.Widest(sel)
	if err != nil {
		return err
	}
	o.header = o.out.Header(width, nil)
	return nil
}
