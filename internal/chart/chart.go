package chart

import (
	"math"
	"strings"
	"unicode"
)

// Point is one time bucket of a series: it starts at T (nanoseconds since
// the Unix epoch) and its values range over [Lo, Hi] (Lo == Hi for one
// value). Points with a NaN or infinite bound are not drawn.
type Point struct {
	T      uint64
	Lo, Hi float64
}

// Series is one line of a chart: its name for the legend and its points
// in increasing time order.
type Series struct {
	Name   string
	Points []Point
}

// Chart is what the renderers draw: series over the time range
// [From, To), under an optional title.
type Chart struct {
	Title    string
	From, To uint64
	Series   []Series
}

// valueRange is the smallest and largest drawable value of c's points, or
// ok false when there is none. A flat range is widened so that it can be
// scaled.
func (c *Chart) valueRange() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range s.Points {
			if drawable(p) {
				lo, hi = min(lo, p.Lo), max(hi, p.Hi)
			}
		}
	}
	if lo > hi {
		return 0, 1, false
	}
	if lo == hi {
		pad := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-pad, hi+pad
	}
	return lo, hi, true
}

// drawable reports whether p has finite bounds.
func drawable(p Point) bool {
	return !math.IsNaN(p.Lo) && !math.IsNaN(p.Hi) && !math.IsInf(p.Lo, 0) && !math.IsInf(p.Hi, 0)
}

// span is the time range's width in nanoseconds, at least 1.
func (c *Chart) span() uint64 {
	if c.To <= c.From {
		return 1
	}
	return c.To - c.From
}

// scale maps times and values onto a drawing area of w by h units, x to
// the right and y downwards.
type scale struct {
	from, span uint64
	lo, hi     float64
	w, h       float64
}

// x is the position of the time t, in [0, w).
func (s *scale) x(t uint64) float64 {
	if t < s.from {
		return 0
	}
	return float64(t-s.from) / float64(s.span) * s.w
}

// y is the position of the value v, 0 at hi and h at lo.
func (s *scale) y(v float64) float64 {
	return (s.hi - v) / (s.hi - s.lo) * s.h
}

// vertex is one corner of a series' stroke.
type vertex struct{ x, y float64 }

// path is the polyline that draws the points of a series: for each
// drawable point, its value range as a vertical stroke entered from the
// end nearer the previous vertex, so that consecutive buckets join into
// one line (or into a band where the ranges are wide).
func path(points []Point, s *scale) []vertex {
	var out []vertex
	for _, p := range points {
		if !drawable(p) {
			continue
		}
		x, top, bottom := s.x(p.T), s.y(p.Hi), s.y(p.Lo)
		if top == bottom {
			out = append(out, vertex{x, top})
			continue
		}
		first, second := top, bottom
		if n := len(out); n > 0 && math.Abs(out[n-1].y-bottom) < math.Abs(out[n-1].y-top) {
			first, second = bottom, top
		}
		out = append(out, vertex{x, first}, vertex{x, second})
	}
	return out
}

// clean replaces control characters, which could drive a terminal, with
// U+FFFD.
func clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}
