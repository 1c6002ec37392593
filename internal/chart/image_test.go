package chart

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
)

func TestWritePNG_SizeAndSeriesPixels(t *testing.T) {
	for _, size := range [][2]int{{1000, 500}, {800, 400}, {MinImageWidth, MinImageHeight}} {
		var buf bytes.Buffer
		if err := WritePNG(&buf, waves(t), size[0], size[1]); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
			t.Fatalf("image is %v, want %dx%d", b, size[0], size[1])
		}
		for i := range 2 {
			if n := colourColumns(img, Palette[i]); n < size[0]*2/3 {
				t.Errorf("%dx%d: %d pixel columns with series %d's colour, want a line across the plot", size[0], size[1], n, i+1)
			}
		}
		if n := countColour(img, Palette[2]); n != 0 {
			t.Errorf("%d pixels of a third series' colour, with two series", n)
		}
	}
}

// colourColumns counts the pixel columns that hold c.
func colourColumns(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, c.R) && near(g>>8, c.G) && near(bl>>8, c.B) {
				n++
				break
			}
		}
	}
	return n
}

// countColour counts the pixels within a small distance of c.
func countColour(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, c.R) && near(g>>8, c.G) && near(bl>>8, c.B) {
				n++
			}
		}
	}
	return n
}

func near(a uint32, b uint8) bool { return a+12 >= uint32(b) && a <= uint32(b)+12 }

// TestWritePNG_SpikeKept checks that the one spike of waves, which an
// average over the bucket would hide, reaches the top of the plot.
func TestWritePNG_SpikeKept(t *testing.T) {
	var buf bytes.Buffer
	c := waves(t)
	if err := WritePNG(&buf, c, 800, 400); err != nil {
		t.Fatal(err)
	}
	img, _ := png.Decode(&buf)
	fs, _ := newFaces()
	l := newLayout(c, 800, 400, fs)
	top := int(l.top + l.sc.y(30))
	found := false
	for x := int(l.left); x < int(l.right); x++ {
		r, g, b, _ := img.At(x, top+1).RGBA()
		found = found || near(r>>8, Palette[0].R) && near(g>>8, Palette[0].G) && near(b>>8, Palette[0].B)
	}
	if !found {
		t.Errorf("no pixel of series 1 at the spike's height (y %d)", top)
	}
}

func TestWriteSVG_Parses(t *testing.T) {
	var buf bytes.Buffer
	c := waves(t)
	c.Title = `<a & "b">`
	if err := WriteSVG(&buf, c, 1000, 500); err != nil {
		t.Fatal(err)
	}
	var polylines, texts []string
	var width, height string
	d := xml.NewDecoder(&buf)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "svg":
			width, height = attr(se, "width"), attr(se, "height")
		case "polyline":
			polylines = append(polylines, attr(se, "stroke")+" "+attr(se, "points"))
		case "text":
			var s string
			d.DecodeElement(&s, &se)
			texts = append(texts, s)
		}
	}
	if width != "1000" || height != "500" {
		t.Errorf("size %sx%s, want 1000x500", width, height)
	}
	for i := range 2 {
		n := 0
		for _, p := range polylines {
			if strings.HasPrefix(p, hex(Palette[i])+" ") {
				n = max(n, len(strings.Fields(p))-1)
			}
		}
		if n < 240 {
			t.Errorf("series %d: longest polyline has %d points, want one or two per bucket (240 buckets)", i+1, n)
		}
	}
	joined := strings.Join(texts, "|")
	for _, want := range []string{`<a & "b">`, "sensor.a v1", "sensor.b v1", "06:00", "Mar 10", "UTC, 2024-03-10 00:00:00 to 2024-03-11 00:00:00"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no text %q in %q", want, joined)
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestWriteImage_SizeLimits(t *testing.T) {
	for _, size := range [][2]int{{MinImageWidth - 1, 400}, {800, MinImageHeight - 1}, {MaxImageSide + 1, 400}} {
		if err := WritePNG(io.Discard, waves(t), size[0], size[1]); err == nil {
			t.Errorf("WritePNG %v: no error", size)
		}
		if err := WriteSVG(io.Discard, waves(t), size[0], size[1]); err == nil {
			t.Errorf("WriteSVG %v: no error", size)
		}
	}
}
