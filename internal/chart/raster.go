package chart

import (
	"bufio"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// WritePNG draws c as a w by h PNG image.
func WritePNG(dst io.Writer, c *Chart, w, h int) error {
	if err := checkSize(w, h); err != nil {
		return err
	}
	fs, err := newFaces()
	if err != nil {
		return err
	}
	r := &raster{img: image.NewRGBA(image.Rect(0, 0, w, h)), fs: fs}
	newLayout(c, w, h, fs).draw(c, r, fs)
	bw := bufio.NewWriter(dst)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(bw, r.img); err != nil {
		return err
	}
	return bw.Flush()
}

// raster draws on an RGBA image: anti-aliased strokes with
// golang.org/x/image/vector, text with the Go font.
type raster struct {
	img *image.RGBA
	fs  *faces
	vr  *vector.Rasterizer
}

func (r *raster) fillRect(x0, y0, x1, y1 float64, c color.RGBA) {
	rect := image.Rect(int(x0), int(y0), int(math.Ceil(x1)), int(math.Ceil(y1)))
	draw.Draw(r.img, rect, image.NewUniform(c), image.Point{}, draw.Over)
}

// stroke fills a quadrilateral along each segment and a square on each
// vertex (to fill the joints), all wound the same way so that their
// overlaps do not cancel out.
func (r *raster) stroke(vs []vertex, width float64, c color.RGBA) {
	if len(vs) == 0 {
		return
	}
	h := float32(width / 2)
	box, ok := r.begin(vs, width/2+1)
	if !ok {
		return
	}
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	for i, v := range vs {
		x, y := float32(v.x)-ox, float32(v.y)-oy
		r.quad(x-h, y-h, x-h, y+h, x+h, y+h, x+h, y-h)
		if i == 0 {
			continue
		}
		px, py := float32(vs[i-1].x)-ox, float32(vs[i-1].y)-oy
		dx, dy := x-px, y-py
		n := float32(math.Hypot(float64(dx), float64(dy)))
		if n == 0 {
			continue
		}
		nx, ny := -dy/n*h, dx/n*h
		r.quad(px+nx, py+ny, x+nx, y+ny, x-nx, y-ny, px-nx, py-ny)
	}
	r.vr.Draw(r.img, box, image.NewUniform(c), image.Point{})
}

// begin readies the rasteriser for a path over vs, widened by margin:
// only the pixels of its bounding box (within the image) are visited,
// with the box's corner as the origin.
func (r *raster) begin(vs []vertex, margin float64) (image.Rectangle, bool) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, v := range vs {
		x0, y0, x1, y1 = math.Min(x0, v.x), math.Min(y0, v.y), math.Max(x1, v.x), math.Max(y1, v.y)
	}
	box := image.Rect(int(math.Floor(x0-margin)), int(math.Floor(y0-margin)), int(math.Ceil(x1+margin)), int(math.Ceil(y1+margin)))
	box = box.Intersect(r.img.Bounds())
	if box.Empty() {
		return box, false
	}
	if r.vr == nil {
		r.vr = vector.NewRasterizer(box.Dx(), box.Dy())
	}
	r.vr.Reset(box.Dx(), box.Dy())
	return box, true
}

func (r *raster) fillPolygon(vs []vertex, c color.RGBA) {
	if len(vs) < 3 {
		return
	}
	box, ok := r.begin(vs, 1)
	if !ok {
		return
	}
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	r.vr.MoveTo(float32(vs[0].x)-ox, float32(vs[0].y)-oy)
	for _, v := range vs[1:] {
		r.vr.LineTo(float32(v.x)-ox, float32(v.y)-oy)
	}
	r.vr.ClosePath()
	r.vr.Draw(r.img, box, image.NewUniform(premultiply(c)), image.Point{})
}

// premultiply turns a colour with straight alpha into image/color's
// premultiplied form.
func premultiply(c color.RGBA) color.RGBA {
	m := func(v uint8) uint8 { return uint8(uint16(v) * uint16(c.A) / 0xff) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), c.A}
}

// quad adds a closed quadrilateral to the rasteriser.
func (r *raster) quad(x0, y0, x1, y1, x2, y2, x3, y3 float32) {
	// Wind every quad the same way (negative area in image coordinates).
	if (x1-x0)*(y2-y0)-(y1-y0)*(x2-x0) > 0 {
		x1, y1, x3, y3 = x3, y3, x1, y1
	}
	r.vr.MoveTo(x0, y0)
	r.vr.LineTo(x1, y1)
	r.vr.LineTo(x2, y2)
	r.vr.LineTo(x3, y3)
	r.vr.ClosePath()
}

func (r *raster) text(x, y float64, s string, size float64, a anchor, c color.RGBA) {
	switch a {
	case anchorMiddle:
		x -= r.fs.width(s, size) / 2
	case anchorEnd:
		x -= r.fs.width(s, size)
	}
	d := font.Drawer{Dst: r.img, Src: image.NewUniform(c), Face: r.fs.face(size),
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}}
	d.DrawString(s)
}

var itoa = strconv.Itoa
