package chart

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
)

// WriteSVG draws c as a w by h SVG image. Text is laid out with the Go
// font's metrics and set in sans-serif, so a viewer without the Go font
// draws it slightly wider or narrower.
func WriteSVG(dst io.Writer, c *Chart, w, h int) error {
	if err := checkSize(w, h); err != nil {
		return err
	}
	fs, err := newFaces()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(dst)
	s := &svg{w: bw}
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Go, 'DejaVu Sans', Arial, sans-serif">`+"\n", w, h, w, h)
	if c.Title != "" {
		bw.WriteString("<title>" + escape(clean(c.Title)) + "</title>\n")
	}
	newLayout(c, w, h, fs).draw(c, s, fs)
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// svg writes drawing operations as SVG elements.
type svg struct {
	w   *bufio.Writer
	buf []byte
}

func (s *svg) fillRect(x0, y0, x1, y1 float64, c color.RGBA) {
	s.buf = append(s.buf[:0], `<rect x="`...)
	s.buf = num(s.buf, x0)
	s.buf = append(s.buf, `" y="`...)
	s.buf = num(s.buf, y0)
	s.buf = append(s.buf, `" width="`...)
	s.buf = num(s.buf, x1-x0)
	s.buf = append(s.buf, `" height="`...)
	s.buf = num(s.buf, y1-y0)
	s.buf = append(s.buf, `" fill="`+hex(c)+`"/>`+"\n"...)
	s.w.Write(s.buf)
}

func (s *svg) stroke(vs []vertex, width float64, c color.RGBA) {
	if len(vs) == 0 {
		return
	}
	s.buf = append(s.buf[:0], `<polyline fill="none" stroke-linejoin="round" stroke-linecap="round" stroke="`+hex(c)+`" stroke-width="`...)
	s.buf = num(s.buf, width)
	s.buf = append(s.buf, `" points="`...)
	s.buf = points(s.buf, vs)
	if len(vs) == 1 { // a polyline of one point draws nothing
		s.buf = append(s.buf, ' ')
		s.buf = num(s.buf, vs[0].x+0.01)
		s.buf = append(s.buf, ',')
		s.buf = num(s.buf, vs[0].y)
	}
	s.buf = append(s.buf, `"/>`+"\n"...)
	s.w.Write(s.buf)
}

func (s *svg) fillPolygon(vs []vertex, c color.RGBA) {
	if len(vs) < 3 {
		return
	}
	s.buf = append(s.buf[:0], `<polygon stroke="none" fill="`+hex(c)+`" fill-opacity="`...)
	s.buf = num(s.buf, float64(c.A)/0xff)
	s.buf = append(s.buf, `" points="`...)
	s.buf = points(s.buf, vs)
	s.buf = append(s.buf, `"/>`+"\n"...)
	s.w.Write(s.buf)
}

// points appends vs as an SVG points list.
func points(dst []byte, vs []vertex) []byte {
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = num(dst, v.x)
		dst = append(dst, ',')
		dst = num(dst, v.y)
	}
	return dst
}

func (s *svg) text(x, y float64, str string, size float64, a anchor, c color.RGBA) {
	s.buf = append(s.buf[:0], `<text x="`...)
	s.buf = num(s.buf, x)
	s.buf = append(s.buf, `" y="`...)
	s.buf = num(s.buf, y)
	s.buf = append(s.buf, `" font-size="`...)
	s.buf = num(s.buf, size)
	s.buf = append(s.buf, `" text-anchor="`+[...]string{"start", "middle", "end"}[a]+`" fill="`+hex(c)+`">`...)
	s.buf = append(s.buf, escape(str)+"</text>\n"...)
	s.w.Write(s.buf)
}

// num appends v with at most two decimals.
func num(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, math.Round(v*100)/100, 'f', -1, 64)
}

// hex is c as #rrggbb.
func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// escape escapes s as XML character data.
func escape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
