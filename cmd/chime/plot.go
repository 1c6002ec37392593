package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/internal/chart"
	"github.com/chime-tsdb/chime/tsdb"
)

type plotOptions struct {
	bounds
	columns   string
	agg       string
	output    string
	width     int
	height    int
	title     string
	maxSeries int
	color     string
}

// Image sizes without --width and --height, and the terminal size when
// stdout is not a terminal.
const (
	defaultImageWidth  = 1000
	defaultImageHeight = 500
	defaultTermWidth   = 80
	defaultTermHeight  = 24
	maxTermHeight      = 40
)

func newPlotCmd(g *globals) *cobra.Command {
	o := &plotOptions{}
	cmd := &cobra.Command{
		Use:   "plot FILTER... [-o chart.png|chart.svg]",
		Short: "Draw the selected series as a line chart, in the terminal or to a PNG or SVG file",
		Long: "Draw each selected key (and value column) as a line: the smallest and largest value of\n" +
			"each time bucket, one bucket per pixel or braille dot column, so that spikes are kept\n" +
			"however many rows there are. Without -o the chart is drawn on stdout, sized to the\n" +
			"terminal (80x24 when stdout is not one), coloured unless NO_COLOR is set.",
		RunE: runE(func(cmd *cobra.Command, a []string) error {
			return runPlot(cmd, g, o, a)
		}),
	}
	o.bounds.register(cmd)
	f := cmd.Flags()
	f.StringVarP(&o.columns, "columns", "C", "", "value columns to plot: 1-based numbers and a-b ranges, all (default)")
	f.StringVar(&o.agg, "agg", "", "draw this aggregate of each bucket (mean, last, p99, count...) instead of its min/max envelope")
	f.StringVarP(&o.output, "output", "o", "", "write the chart to `FILE`, PNG or SVG by its extension, instead of drawing it in the terminal")
	f.IntVar(&o.width, "width", 0, "chart width: pixels for images (default 1000), characters in the terminal (default: the terminal's)")
	f.IntVar(&o.height, "height", 0, "chart height: pixels for images (default 500), lines in the terminal (default: the terminal's)")
	f.StringVar(&o.title, "title", "", "title above the chart (default: the filters)")
	f.IntVar(&o.maxSeries, "max-series", 20, "draw at most `N` series (key and column pairs), the first in key order")
	f.StringVar(&o.color, "color", "auto", "colour the terminal chart: auto (when stdout is a terminal and NO_COLOR is unset), always, never")
	return cmd
}

func runPlot(cmd *cobra.Command, g *globals, o *plotOptions, filters []string) error {
	dir, err := g.needDir()
	if err != nil {
		return err
	}
	sel, err := o.selector(cmd, filters)
	if err != nil {
		return err
	}
	q, err := o.query()
	if err != nil {
		return err
	}
	out, err := o.target()
	if err != nil {
		return err
	}
	snap, err := g.openSnapshot(dir)
	if err != nil {
		return err
	}
	defer snap.Close()
	c, err := plotChart(snap, sel, q, out.buckets(), o.maxSeries)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("plot: no rows match %s", o.chartTitle(cmd, filters))
	}
	if err != nil {
		return err
	}
	c.Title = o.chartTitle(cmd, filters)
	if c.total > len(c.Series) {
		fmt.Fprintf(os.Stderr, "chime: plot: %d series match; drew the first %d, left %d out (raise --max-series or narrow the filter)\n",
			c.total, len(c.Series), c.total-len(c.Series))
	}
	return out.draw(&c.Chart)
}

// selector is read's: FILTERs or key bounds, and time bounds.
func (o *plotOptions) selector(cmd *cobra.Command, filters []string) (*tsdb.Selector, error) {
	switch keyBounds := o.hasKeyBounds(cmd); {
	case len(filters) == 0 && !keyBounds:
		return nil, usagef("plot: give a FILTER (like 'key%%') or --after-key/--before-key")
	case len(filters) > 0 && keyBounds:
		return nil, usagef("plot: a FILTER and --after-key/--before-key cannot be combined")
	}
	return o.bounds.selector(cmd, filters)
}

// chartTitle is --title, or the filters (or key bounds).
func (o *plotOptions) chartTitle(cmd *cobra.Command, filters []string) string {
	switch {
	case cmd.Flags().Changed("title"):
		return o.title
	case len(filters) > 0:
		return strings.Join(filters, " ")
	}
	return fmt.Sprintf("keys [%s, %s)", o.afterKey, o.beforeKey)
}

// plotTarget is where the chart goes: an image file, or the terminal.
type plotTarget struct {
	path          string // "" for the terminal
	svg           bool
	width, height int
	color         bool
}

// target checks -o, the size and --color against where the chart goes.
func (o *plotOptions) target() (*plotTarget, error) {
	t := &plotTarget{path: o.output, width: o.width, height: o.height}
	if o.color != "auto" && o.color != "always" && o.color != "never" {
		return nil, usagef("plot: --color %q: want auto, always or never", o.color)
	}
	if o.width < 0 || o.height < 0 {
		return nil, usagef("plot: negative --width or --height")
	}
	if o.output == "" {
		t.color = o.color == "always" || o.color == "auto" && colorTerminal()
		return t, t.termSize()
	}
	switch ext := strings.ToLower(filepath.Ext(o.output)); ext {
	case ".png", ".svg":
		t.svg = ext == ".svg"
	default:
		return nil, usagef("plot: -o %q: the file name must end in .png or .svg", o.output)
	}
	t.width, t.height = cmp.Or(t.width, defaultImageWidth), cmp.Or(t.height, defaultImageHeight)
	if t.width < chart.MinImageWidth || t.height < chart.MinImageHeight || t.width > chart.MaxImageSide || t.height > chart.MaxImageSide {
		return nil, usagef("plot: image size %dx%d out of range (%dx%d to %dx%d pixels)", t.width, t.height,
			chart.MinImageWidth, chart.MinImageHeight, chart.MaxImageSide, chart.MaxImageSide)
	}
	return t, nil
}

// termSize fills in the terminal's size where --width and --height left
// it open.
func (t *plotTarget) termSize() error {
	cols, rows, ok := terminalSize(os.Stdout)
	if !ok {
		cols, rows = defaultTermWidth, defaultTermHeight
	}
	t.width = cmp.Or(t.width, cols)
	t.height = cmp.Or(t.height, min(max(rows-2, chart.MinTermHeight), maxTermHeight))
	if t.width < chart.MinTermWidth || t.height < chart.MinTermHeight {
		return usagef("plot: terminal chart size %dx%d too small (at least %dx%d characters)", t.width, t.height, chart.MinTermWidth, chart.MinTermHeight)
	}
	return nil
}

// buckets is how many time buckets the chart's width resolves: one per
// pixel, or per braille dot column (two a character).
func (t *plotTarget) buckets() int {
	if t.path == "" {
		return 2 * t.width
	}
	return t.width
}

// draw writes the chart.
func (t *plotTarget) draw(c *chart.Chart) error {
	if t.path == "" {
		var b strings.Builder
		if err := chart.Terminal(&b, c, chart.TermOptions{Width: t.width, Height: t.height, Color: t.color}); err != nil {
			return err
		}
		return newStdout().write([]byte(b.String()))
	}
	return writeFileAtomic("-o", t.path, func(w io.Writer) error {
		if t.svg {
			return chart.WriteSVG(w, c, t.width, t.height)
		}
		return chart.WritePNG(w, c, t.width, t.height)
	})
}

// colorTerminal reports whether stdout is a terminal that takes colours:
// not a "dumb" one, and NO_COLOR (no-color.org) not set to a value.
func colorTerminal() bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	_, _, ok := terminalSize(os.Stdout)
	return ok
}

// escapedKey is a key as read prints it.
func escapedKey(key []byte) string { return string(text.AppendEscaped(nil, key)) }
