package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/chart"
	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/agg"
)

// errNoRows ends a plot of nothing (exit status 1).
var errNoRows = errors.New("plot: no rows match")

// query is the aggregation drawn per bucket: min and max (the envelope),
// or the one aggregate of --agg, over the columns of -C.
func (o *plotOptions) query() (*agg.Query, error) {
	if o.maxSeries < 1 {
		return nil, usagef("plot: --max-series %d: want at least 1", o.maxSeries)
	}
	q := &agg.Query{}
	if o.columns != "" {
		cols, err := text.ParseColumns(o.columns)
		if err != nil {
			return nil, usagef("plot: --columns: %v", err)
		}
		q.Columns = cols
	}
	list := "min,max"
	if o.agg != "" {
		list = o.agg
	}
	fs, err := agg.ParseList(list)
	if err != nil {
		return nil, usagef("plot: --agg: %v", err)
	}
	switch {
	case len(fs) == 2 && fs[0].Kind == agg.Max && fs[1].Kind == agg.Min:
		fs[0], fs[1] = fs[1], fs[0]
	case len(fs) == 2 && fs[0].Kind == agg.Min && fs[1].Kind == agg.Max:
	case len(fs) != 1:
		return nil, usagef("plot: --agg %q: give one aggregate (without --agg each bucket is drawn from its min to its max)", o.agg)
	}
	q.Funcs = fs
	return q, nil
}

// plotData is a chart and the number of series that matched, of which
// the chart holds the first --max-series.
type plotData struct {
	chart.Chart
	total int
}

// plotChart aggregates the rows of sel into about buckets time buckets
// over the selected time range (given, or the data's) and returns the
// series, at most maxSeries of them.
func plotChart(snap *tsdb.Snapshot, sel *tsdb.Selector, q *agg.Query, buckets, maxSeries int) (*plotData, error) {
	if err := checkPlottable(snap, sel, q); err != nil {
		return nil, err
	}
	from, to, err := plotRange(snap, sel)
	if err != nil {
		return nil, err
	}
	q.Step = max((to-from+uint64(buckets)-1)/uint64(buckets), 1)
	q.Offset = from % q.Step // buckets start at from
	col := newCollector(q, maxSeries)
	if err := snap.Aggregate(sel, q, nil, col.emit); err != nil {
		return nil, err
	}
	if col.total == 0 {
		return nil, errNoRows
	}
	return &plotData{Chart: chart.Chart{From: from, To: to, Series: col.chartSeries()}, total: col.total}, nil
}

// checkPlottable refuses s and B columns among the selected ones, naming
// the first key that has one: only their count is a number.
func checkPlottable(snap *tsdb.Snapshot, sel *tsdb.Selector, q *agg.Query) error {
	if len(q.Funcs) == 1 && q.Funcs[0].Kind == agg.Count {
		return nil
	}
	uses, err := snap.Formats(sel)
	if err != nil {
		return err
	}
	for _, u := range uses {
		for col := range u.Format.Len() {
			if code := u.Format.Code(col); code.Variable() && q.Columns.Has(col) {
				kind := map[format.Code]string{format.Str: "strings", format.Bin: "bytes"}[code]
				return fmt.Errorf("plot: column %d of key %s holds %s (format %s), which cannot be plotted: choose numeric columns with -C, or --agg count",
					col+1, escapedKey(u.Key), kind, u.Format)
			}
		}
	}
	return nil
}

// plotRange is the time range drawn: the time bounds given, or else the
// first and last timestamps of the selected blocks (from the index).
func plotRange(snap *tsdb.Snapshot, sel *tsdb.Selector) (from, to uint64, err error) {
	st, err := snap.Stats(sel, tsdb.StatsOptions{})
	if err != nil {
		return 0, 0, err
	}
	if st.Rows == 0 {
		return 0, 0, errNoRows
	}
	from, to = st.First, st.Last
	if to < math.MaxUint64 {
		to++
	}
	if sel.HasAfterTime {
		from = sel.AfterTime
	}
	if sel.HasBeforeTime {
		to = sel.BeforeTime
	}
	if to <= from {
		return 0, 0, errNoRows
	}
	return from, to, nil
}

// collector turns the aggregated rows into series, one per key and
// value column, keeping the points of the first max keys' series only.
type collector struct {
	nf      int   // aggregates per column: 1, or 2 (min, max)
	cols    []int // the selected columns, in order
	max     int
	keys    int // keys seen
	key     []byte
	current map[int]*plotSeries // the current key's series by column
	series  []*plotSeries
	total   int // series seen
}

// plotSeries is one key and column's points.
type plotSeries struct {
	key    string
	keyNum int // the key's position in key order
	col    int
	points []chart.Point
}

func newCollector(q *agg.Query, max int) *collector {
	c := &collector{nf: len(q.Funcs), max: max}
	for col := range format.MaxFormatLen {
		if q.Columns.Has(col) {
			c.cols = append(c.cols, col)
		}
	}
	return c
}

// emit takes result rows of one key, in key then time order.
func (c *collector) emit(b *format.Block, from, to int) error {
	if c.keys == 0 || !bytes.Equal(b.Key, c.key) {
		c.keys++
		c.key = append(c.key[:0], b.Key...)
		c.current = map[int]*plotSeries{}
	}
	for j := 0; (j+1)*c.nf <= b.Format.Len(); j++ {
		s, seen := c.current[c.cols[j]]
		if !seen {
			s = c.newSeries(c.cols[j])
			c.current[c.cols[j]] = s
		}
		if s == nil {
			continue
		}
		for i := from; i < to; i++ {
			lo := resultValue(b, j*c.nf, i)
			hi := resultValue(b, j*c.nf+c.nf-1, i)
			s.points = append(s.points, chart.Point{T: b.Times[i], Lo: lo, Hi: hi})
		}
	}
	return nil
}

// newSeries counts a new series of the current key, and returns where to
// keep its points, or nil when its key is beyond the first max.
func (c *collector) newSeries(col int) *plotSeries {
	c.total++
	if c.keys > c.max {
		return nil
	}
	s := &plotSeries{key: escapedKey(c.key), keyNum: c.keys, col: col}
	c.series = append(c.series, s)
	return s
}

// chartSeries are the first max series in key then column order, named
// by their key, and column when several columns are drawn.
func (c *collector) chartSeries() []chart.Series {
	slices.SortFunc(c.series, func(a, b *plotSeries) int {
		if a.keyNum != b.keyNum {
			return a.keyNum - b.keyNum
		}
		return a.col - b.col
	})
	c.series = c.series[:min(len(c.series), c.max)]
	cols := map[int]bool{}
	for _, s := range c.series {
		cols[s.col] = true
	}
	out := make([]chart.Series, len(c.series))
	for i, s := range c.series {
		out[i] = chart.Series{Name: s.key, Points: s.points}
		if len(cols) > 1 {
			out[i].Name = fmt.Sprintf("%s v%d", s.key, s.col+1)
		}
	}
	return out
}

// resultValue is the result column k of row i as a float64.
func resultValue(b *format.Block, k, i int) float64 {
	return b.Format.Code(k).AsFloat64(b.Cols[k].Nums[i])
}
