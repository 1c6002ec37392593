package chart

import (
	"image/color"
	"math"
	"slices"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// Image size limits, in pixels.
const (
	MinImageWidth  = 300
	MinImageHeight = 200
	MaxImageSide   = 10000
)

// Palette holds the series colours of images, in order (the web UI uses
// the same).
var Palette = []color.RGBA{
	{0x2f, 0x6f, 0xdf, 0xff}, {0xe8, 0x71, 0x0a, 0xff}, {0x1e, 0x9e, 0x4a, 0xff}, {0xd9, 0x30, 0x25, 0xff},
	{0x8e, 0x44, 0xad, 0xff}, {0x00, 0x83, 0x8f, 0xff}, {0xc2, 0x18, 0x5b, 0xff}, {0x6d, 0x4c, 0x41, 0xff},
	{0x9e, 0x9d, 0x24, 0xff}, {0x5f, 0x63, 0x68, 0xff},
}

var (
	white    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink      = color.RGBA{0x20, 0x21, 0x24, 0xff}
	gridGrey = color.RGBA{0xe6, 0xe6, 0xe6, 0xff}
	axisGrey = color.RGBA{0x80, 0x80, 0x80, 0xff}
)

// anchor aligns text on its x position.
type anchor int

const (
	anchorStart anchor = iota
	anchorMiddle
	anchorEnd
)

// surface is what an image renderer draws on: PNG pixels or SVG elements.
type surface interface {
	fillRect(x0, y0, x1, y1 float64, c color.RGBA)
	stroke(vs []vertex, width float64, c color.RGBA)
	// fillPolygon fills the closed polygon vs (non-zero winding) with c,
	// which may be translucent.
	fillPolygon(vs []vertex, c color.RGBA)
	// text draws s with its baseline at y.
	text(x, y float64, s string, size float64, a anchor, c color.RGBA)
}

// Text sizes in pixels.
const (
	titleSize = 16
	labelSize = 12
	lineWidth = 1.5
	pad       = 12
)

// The Go font, parsed on first use only: linking this package must not
// slow down the start of every command.
var (
	goFontOnce sync.Once
	goFontData *opentype.Font
	goFontErr  error
)

func goFont() (*opentype.Font, error) {
	goFontOnce.Do(func() { goFontData, goFontErr = opentype.Parse(goregular.TTF) })
	return goFontData, goFontErr
}

// faces caches a face per text size.
type faces struct {
	f  *opentype.Font
	by map[float64]font.Face
}

func newFaces() (*faces, error) {
	f, err := goFont()
	return &faces{f: f, by: map[float64]font.Face{}}, err
}

func (fs *faces) face(size float64) font.Face {
	if f, ok := fs.by[size]; ok {
		return f
	}
	f, err := opentype.NewFace(fs.f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic("chart: Go font face: " + err.Error()) // the embedded font is valid
	}
	fs.by[size] = f
	return f
}

// width is the advance of s in pixels.
func (fs *faces) width(s string, size float64) float64 {
	return float64(font.MeasureString(fs.face(size), s)) / 64
}

// layout places the parts of an image chart.
type layout struct {
	w, h                     float64
	title                    string
	legend                   []legendEntry
	left, top, right, bottom float64 // the plot area
	vticks, tticks           []Tick
	sc                       scale
}

// legendEntry is one series' swatch and name, placed.
type legendEntry struct {
	x, y  float64 // baseline start of the swatch
	name  string
	color color.RGBA
}

// newLayout sizes the margins from the labels they hold.
func newLayout(c *Chart, w, h int, fs *faces) *layout {
	l := &layout{w: float64(w), h: float64(h), title: clean(c.Title)}
	y := float64(pad)
	if l.title != "" {
		y += titleSize + 6
	}
	y = l.placeLegend(c, fs, y)
	l.top = y + 8
	l.bottom = l.h - pad - 2*(labelSize+6)
	lo, hi, _ := c.valueRange()
	lo, hi, l.vticks = NiceRange(lo, hi, max(2, int((l.bottom-l.top)/40)+1))
	labelW := 0.0
	for _, t := range l.vticks {
		labelW = math.Max(labelW, fs.width(t.Label, labelSize))
	}
	l.left = pad + labelW + 8
	l.right = l.w - pad - 8
	l.tticks = TimeTicks(c.From, c.From+c.span(), max(2, int((l.right-l.left)/110)))
	l.sc = scale{from: c.From, span: c.span(), lo: lo, hi: hi, w: l.right - l.left, h: l.bottom - l.top}
	return l
}

// placeLegend lays the legend entries out in rows from y down, and
// returns the y below them.
func (l *layout) placeLegend(c *Chart, fs *faces, y float64) float64 {
	x, rowY := float64(pad), y+labelSize
	for i, s := range c.Series {
		name := clean(s.Name)
		w := 24 + fs.width(name, labelSize)
		if x > pad && x+w > l.w-pad {
			x, rowY = pad, rowY+labelSize+6
		}
		l.legend = append(l.legend, legendEntry{x: x, y: rowY, name: name, color: Palette[i%len(Palette)]})
		x += w + 18
	}
	if len(c.Series) == 0 {
		return y
	}
	return rowY + 4
}

// draw renders the chart onto s.
func (l *layout) draw(c *Chart, s surface, fs *faces) {
	s.fillRect(0, 0, l.w, l.h, white)
	if l.title != "" {
		s.text(l.w/2, pad+titleSize-2, l.title, titleSize, anchorMiddle, ink)
	}
	for _, e := range l.legend {
		s.stroke([]vertex{{e.x, e.y - 4}, {e.x + 18, e.y - 4}}, 3, e.color)
		s.text(e.x+24, e.y, e.name, labelSize, anchorStart, ink)
	}
	l.drawGrid(s, fs)
	for i, ser := range c.Series {
		col := Palette[i%len(Palette)]
		band := col
		band.A = 0x40
		for _, run := range runs(ser.Points) {
			hi, lo := l.edges(run)
			if !sameY(hi, lo) {
				s.fillPolygon(append(slices.Clone(hi), reversed(lo)...), band)
				s.stroke(lo, lineWidth, col)
			}
			s.stroke(hi, lineWidth, col)
		}
	}
}

// runs cuts points into runs of drawable points.
func runs(points []Point) [][]Point {
	var out [][]Point
	start := 0
	for i, p := range points {
		if !drawable(p) {
			if i > start {
				out = append(out, points[start:i])
			}
			start = i + 1
		}
	}
	if start < len(points) {
		out = append(out, points[start:])
	}
	return out
}

// edges are the upper and lower edges of a run's envelope, in pixels.
func (l *layout) edges(run []Point) (hi, lo []vertex) {
	for _, p := range run {
		x := l.left + l.sc.x(p.T)
		hi = append(hi, vertex{x, l.top + l.sc.y(p.Hi)})
		lo = append(lo, vertex{x, l.top + l.sc.y(p.Lo)})
	}
	return hi, lo
}

// sameY reports whether two edges coincide: a line, not a band.
func sameY(a, b []vertex) bool {
	for i := range a {
		if a[i].y != b[i].y {
			return false
		}
	}
	return true
}

func reversed(vs []vertex) []vertex {
	out := slices.Clone(vs)
	slices.Reverse(out)
	return out
}

// drawGrid draws the grid lines, the frame, the tick labels and the
// caption.
func (l *layout) drawGrid(s surface, fs *faces) {
	for _, t := range l.vticks {
		y := math.Round(l.top+l.sc.y(t.V)) + 0.5
		s.stroke([]vertex{{l.left, y}, {l.right, y}}, 1, gridGrey)
		s.text(l.left-6, y+4, t.Label, labelSize, anchorEnd, ink)
	}
	next := math.Inf(-1)
	for _, t := range l.tticks {
		x := math.Round(l.left+l.sc.x(t.T)) + 0.5
		s.stroke([]vertex{{x, l.top}, {x, l.bottom}}, 1, gridGrey)
		w := fs.width(t.Label, labelSize)
		if x-w/2 < next || x+w/2 > l.w {
			continue
		}
		s.text(x, l.bottom+labelSize+4, t.Label, labelSize, anchorMiddle, ink)
		next = x + w/2 + 8
	}
	frame := []vertex{{l.left, l.top}, {l.right, l.top}, {l.right, l.bottom}, {l.left, l.bottom}, {l.left, l.top}}
	s.stroke(frame, 1, axisGrey)
	s.text(l.right, l.h-pad, Caption(l.sc.from, l.sc.from+l.sc.span), labelSize, anchorEnd, axisGrey)
}

// checkSize refuses image sizes out of range.
func checkSize(w, h int) error {
	if w < MinImageWidth || h < MinImageHeight || w > MaxImageSide || h > MaxImageSide {
		return &SizeError{w, h}
	}
	return nil
}

// SizeError is the error of an image size out of range.
type SizeError struct{ W, H int }

func (e *SizeError) Error() string {
	return "image size " + itoa(e.W) + "x" + itoa(e.H) + " out of range (" + itoa(MinImageWidth) + "x" + itoa(MinImageHeight) + " to " + itoa(MaxImageSide) + "x" + itoa(MaxImageSide) + ")"
}
