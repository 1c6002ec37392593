package chart

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// TermOptions size and colour a terminal chart.
type TermOptions struct {
	// Width and Height are the chart's size in character cells, legend
	// and axes included; at least 20 by 6.
	Width, Height int
	// Color draws each series in its own ANSI colour. Without colour, and
	// with several series, each line carries its series' number at its
	// last point, which the legend repeats.
	Color bool
}

// Minimum terminal chart size.
const (
	MinTermWidth  = 20
	MinTermHeight = 6
)

// termPalette holds the ANSI foreground colours of the series, in order.
var termPalette = []string{"34", "33", "32", "31", "35", "36", "94", "93", "92", "91", "95", "96"}

// Terminal draws c in Unicode braille characters (two by four dots a
// cell) with a value axis on the left, a time axis and its caption below,
// and a legend naming the series.
func Terminal(w io.Writer, c *Chart, o TermOptions) error {
	o.Width, o.Height = max(o.Width, MinTermWidth), max(o.Height, MinTermHeight)
	g := newTermGrid(c, o)
	g.drawSeries()
	_, err := io.WriteString(w, g.render())
	return err
}

// termGrid is a terminal chart being laid out and drawn.
type termGrid struct {
	c      *Chart
	o      TermOptions
	title  string
	legend []string // lines
	vticks []Tick
	labelW int // width of the value labels
	pw, ph int // plot area in cells
	dots   []uint8
	colour []int8 // series index per cell, -1 for none
	marks  map[int]rune
	sc     scale
}

func newTermGrid(c *Chart, o TermOptions) *termGrid {
	g := &termGrid{c: c, o: o, marks: map[int]rune{}, title: clean(c.Title)}
	// Below the plot (at least 2 rows): the axis, the tick labels, the
	// caption and the legend; above it the title, dropped first when
	// the legend needs its row.
	room := o.Height - 3 - 2
	g.legend = g.legendLines()
	if g.title != "" && room-1 >= len(g.legend) {
		room--
	} else {
		g.title = ""
	}
	if len(g.legend) > room {
		g.legend = append(g.legend[:room-1], fit(fmt.Sprintf("(%d series: too many to name at this size)", len(c.Series)), o.Width))
	}
	g.ph = o.Height - 3 - len(g.legend)
	if g.title != "" {
		g.ph--
	}
	lo, hi, _ := c.valueRange()
	lo, hi, g.vticks = NiceRange(lo, hi, max(2, g.ph/2+1))
	for _, t := range g.vticks {
		g.labelW = max(g.labelW, utf8.RuneCountInString(t.Label))
	}
	g.pw = max(o.Width-g.labelW-2, 4)
	g.dots = make([]uint8, g.pw*g.ph)
	g.colour = make([]int8, g.pw*g.ph)
	for i := range g.colour {
		g.colour[i] = -1
	}
	g.sc = scale{from: c.From, span: c.span(), lo: lo, hi: hi, w: float64(g.pw * 2), h: float64(g.ph*4 - 1)}
	return g
}

// marker names series i in a chart without colour.
func marker(i int) rune {
	const marks = "123456789abcdefghijklmnopqrstuvwxyz"
	if i < len(marks) {
		return rune(marks[i])
	}
	return '*'
}

// monoMarks reports whether lines carry their series' marker.
func (g *termGrid) monoMarks() bool { return !g.o.Color && len(g.c.Series) > 1 }

// legendLines lays the legend's entries out in lines of at most Width
// cells.
func (g *termGrid) legendLines() []string {
	var lines []string
	line, n := "", 0
	for i, s := range g.c.Series {
		name := clean(s.Name)
		sym, symW := "━━", 2
		switch {
		case g.monoMarks():
			sym, symW = string(marker(i)), 1
		case g.o.Color:
			sym = "\x1b[" + termPalette[i%len(termPalette)] + "m━━\x1b[0m"
		}
		entryW := symW + 1 + utf8.RuneCountInString(name)
		if n > 0 && n+3+entryW > g.o.Width {
			lines, line, n = append(lines, line), "", 0
		}
		if n > 0 {
			line, n = line+"   ", n+3
		}
		line, n = line+sym+" "+name, n+entryW
	}
	if n > 0 {
		lines = append(lines, line)
	}
	return lines
}

// drawSeries strokes every series' path onto the dots.
func (g *termGrid) drawSeries() {
	for i, s := range g.c.Series {
		vs := path(s.Points, &g.sc)
		for j := range vs {
			x, y := g.dot(vs[j])
			if j == 0 {
				g.set(x, y, i)
				continue
			}
			px, py := g.dot(vs[j-1])
			g.line(px, py, x, y, i)
		}
		if n := len(vs); n > 0 && g.monoMarks() {
			x, y := g.dot(vs[n-1])
			g.marks[y/4*g.pw+x/2] = marker(i)
		}
	}
}

// dot is the dot of a vertex, inside the plot area.
func (g *termGrid) dot(v vertex) (int, int) {
	x := min(max(int(math.Floor(v.x)), 0), g.pw*2-1)
	y := min(max(int(math.Round(v.y)), 0), g.ph*4-1)
	return x, y
}

// line sets the dots from (x0, y0) to (x1, y1) (Bresenham).
func (g *termGrid) line(x0, y0, x1, y1, series int) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := cmp.Compare(x1, x0), cmp.Compare(y1, y0)
	e := dx + dy
	for {
		g.set(x0, y0, series)
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			x0 += sx
		} else {
			e += dx
			y0 += sy
		}
	}
}

// brailleBit is the bit of the dot at column dx (0, 1) and row dy (0-3)
// of a braille cell (U+2800 + bits).
var brailleBit = [2][4]uint8{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

func (g *termGrid) set(x, y, series int) {
	cell := y/4*g.pw + x/2
	g.dots[cell] |= brailleBit[x%2][y%4]
	g.colour[cell] = int8(series % len(termPalette))
}

// render writes the chart out line by line.
func (g *termGrid) render() string {
	var b strings.Builder
	if g.title != "" {
		b.WriteString(fit(strings.Repeat(" ", g.labelW+2)+g.title, g.o.Width) + "\n")
	}
	labels := g.valueLabelRows()
	for row := range g.ph {
		label, tick := labels[row]
		b.WriteString(strings.Repeat(" ", g.labelW-utf8.RuneCountInString(label)) + label + " ")
		b.WriteString(map[bool]string{true: "┤", false: "│"}[tick])
		g.plotRow(&b, row)
		b.WriteByte('\n')
	}
	g.timeAxis(&b)
	for _, l := range g.legend {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// valueLabelRows places each value tick on the row of its value.
func (g *termGrid) valueLabelRows() map[int]string {
	rows := map[int]string{}
	for _, t := range g.vticks {
		row := min(max(int(math.Round(g.sc.y(t.V)))/4, 0), g.ph-1)
		rows[row] = t.Label
	}
	return rows
}

// plotRow writes one row of cells, with colour changes when colour is on.
func (g *termGrid) plotRow(b *strings.Builder, row int) {
	cur := int8(-1)
	for x := range g.pw {
		cell := row*g.pw + x
		col := g.colour[cell]
		if g.o.Color && col != cur && g.dots[cell] != 0 {
			b.WriteString("\x1b[" + termPalette[col] + "m")
			cur = col
		}
		switch m, ok := g.marks[cell]; {
		case ok:
			b.WriteRune(m)
		case g.dots[cell] == 0:
			b.WriteByte(' ')
		default:
			b.WriteRune(0x2800 + rune(g.dots[cell]))
		}
	}
	if cur >= 0 {
		b.WriteString("\x1b[0m")
	}
}

// timeAxis writes the axis line with its tick marks, the tick labels
// (those that fit without overlapping) and the caption.
func (g *termGrid) timeAxis(b *strings.Builder) {
	ticks := TimeTicks(g.c.From, g.c.From+g.c.span(), max(2, g.pw/12))
	axis := []rune(strings.Repeat("─", g.pw))
	labels := []rune(strings.Repeat(" ", g.labelW+2+g.pw))
	next := 0 // first free label column
	for _, t := range ticks {
		col := min(int(g.sc.x(t.T)/2), g.pw-1)
		axis[col] = '┬'
		label := []rune(t.Label)
		start := min(max(g.labelW+2+col-len(label)/2, 0), len(labels)-len(label))
		if start < next || start < 0 {
			continue
		}
		copy(labels[start:], label)
		next = start + len(label) + 1
	}
	b.WriteString(strings.Repeat(" ", g.labelW+1) + "└" + string(axis) + "\n")
	b.WriteString(strings.TrimRight(string(labels), " ") + "\n")
	caption := fit(Caption(g.c.From, g.c.From+g.c.span()), g.o.Width)
	pad := max(g.labelW+2+g.pw-utf8.RuneCountInString(caption), 0)
	b.WriteString(strings.Repeat(" ", pad) + caption + "\n")
}

// fit cuts s to at most width cells, ending it with an ellipsis when
// cut.
func fit(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
