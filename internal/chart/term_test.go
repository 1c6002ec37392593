package chart

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ from the actual output")

// ns is the time of an RFC 3339 string in nanoseconds.
func ns(t *testing.T, s string) uint64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(tm.UnixNano())
}

// fibonacci is the quick start's series, one point a day.
func fibonacci(t *testing.T) *Chart {
	from := ns(t, "2020-01-01T00:00:00Z")
	c := &Chart{Title: "fib%", From: from, To: from + 5*day + 1}
	s := Series{Name: "fibonacci"}
	for i, v := range []float64{1, 1, 2, 3, 5, 8} {
		s.Points = append(s.Points, Point{T: from + uint64(i)*day, Lo: v, Hi: v})
	}
	c.Series = []Series{s}
	return c
}

// waves is two dense series over a day, downsampled to envelopes of 240
// buckets: a sine with a noise band and one spike, and a slow ramp.
func waves(t *testing.T) *Chart {
	from := ns(t, "2024-03-10T00:00:00Z")
	const buckets = 240
	step := day / buckets
	c := &Chart{From: from, To: from + day}
	a, b := Series{Name: "sensor.a v1"}, Series{Name: "sensor.b v1"}
	for i := range buckets {
		x := float64(i) / buckets * 4 * math.Pi
		v := 10 * math.Sin(x)
		p := Point{T: from + uint64(i)*step, Lo: v - 1.5, Hi: v + 1.5}
		if i == 170 {
			p.Hi = 30
		}
		a.Points = append(a.Points, p)
		r := float64(i) / 20
		b.Points = append(b.Points, Point{T: from + uint64(i)*step, Lo: r, Hi: r})
	}
	c.Series = []Series{a, b}
	return c
}

func TestTerminal_Golden(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		chart func(*testing.T) *Chart
		o     TermOptions
	}{
		{"fibonacci", fibonacci, TermOptions{Width: 80, Height: 20}},
		{"fibonacci_color", fibonacci, TermOptions{Width: 80, Height: 20, Color: true}},
		{"waves", waves, TermOptions{Width: 100, Height: 24}},
		{"waves_color", waves, TermOptions{Width: 100, Height: 24, Color: true}},
		{"waves_small", waves, TermOptions{Width: 20, Height: 6}},
		{"nan_only", func(t *testing.T) *Chart {
			from := ns(t, "2021-06-01T12:00:00Z")
			return &Chart{From: from, To: from + hour, Series: []Series{{Name: "x", Points: []Point{{T: from, Lo: nan, Hi: nan}}}}}
		}, TermOptions{Width: 40, Height: 10}},
		{"control_chars", func(t *testing.T) *Chart {
			from := ns(t, "2021-06-01T12:00:00.250Z")
			return &Chart{Title: "a\x1b[31mb", From: from, To: from + 3*uint64(time.Millisecond), Series: []Series{{Name: "k\x07ey", Points: []Point{
				{T: from, Lo: -2, Hi: -2}, {T: from + uint64(time.Millisecond), Lo: 0.5, Hi: 0.5}, {T: from + 2*uint64(time.Millisecond), Lo: -1e-3, Hi: 3}}}}}
		}, TermOptions{Width: 50, Height: 12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Terminal(&buf, tt.chart(t), tt.o); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tt.name+".txt"), buf.Bytes())
			checkTermSize(t, buf.String(), tt.o)
		})
	}
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it; review the diff):\n%s", file, got)
	}
}

// checkTermSize checks that the chart fills at most the requested cells, and
// exactly its height.
func checkTermSize(t *testing.T, out string, o TermOptions) {
	t.Helper()
	lines := bytes.Split(bytes.TrimSuffix([]byte(stripANSI(out)), []byte("\n")), []byte("\n"))
	if len(lines) != o.Height {
		t.Errorf("%d lines, want %d", len(lines), o.Height)
	}
	for i, l := range lines {
		if n := len([]rune(string(l))); n > o.Width {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, n, o.Width, l)
		}
	}
}

// stripANSI removes SGR sequences.
func stripANSI(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}
