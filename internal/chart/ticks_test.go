package chart

import (
	"math"
	"strings"
	"testing"
)

func TestValueTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		n      int
		want   string
	}{
		{0, 10, 6, "0 2 4 6 8 10"},
		{1, 8, 8, "1 2 3 4 5 6 7 8"},
		{-11.5, 30, 9, "-10 -5 0 5 10 15 20 25 30"},
		{0.001, 0.0042, 5, "0.001 0.002 0.003 0.004"},
		{-1, 1, 3, "-1 0 1"},
		{1e9, 5e9, 5, "1e+09 2e+09 3e+09 4e+09 5e+09"},
		{99.5, 100.5, 2, "100"},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range ValueTicks(tt.lo, tt.hi, tt.n) {
			got = append(got, tk.Label)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("ValueTicks(%v, %v, %d) = %q, want %q", tt.lo, tt.hi, tt.n, strings.Join(got, " "), tt.want)
		}
		if len(got) > tt.n {
			t.Errorf("ValueTicks(%v, %v, %d): %d ticks", tt.lo, tt.hi, tt.n, len(got))
		}
	}
}

func TestNiceRange(t *testing.T) {
	tests := []struct {
		lo, hi         float64
		n              int
		wantLo, wantHi float64
	}{
		{1, 8, 3, 0, 10},
		{1, 8, 8, 1, 8},
		{-11.5, 30, 6, -20, 30},
		{0.3, 0.7, 5, 0.3, 0.7},
	}
	for _, tt := range tests {
		lo, hi, ticks := NiceRange(tt.lo, tt.hi, tt.n)
		if math.Abs(lo-tt.wantLo) > 1e-9 || math.Abs(hi-tt.wantHi) > 1e-9 || len(ticks) > tt.n || math.Abs(ticks[0].V-lo) > 1e-9 {
			t.Errorf("NiceRange(%v, %v, %d) = %v, %v, %v; want %v, %v", tt.lo, tt.hi, tt.n, lo, hi, ticks, tt.wantLo, tt.wantHi)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	tests := []struct {
		from, to string
		n        int
		want     string
	}{
		{"2020-01-01T00:00:00Z", "2020-01-06T00:00:01Z", 6, "2020|Jan 2|Jan 3|Jan 4|Jan 5|Jan 6"},
		{"2024-03-10T00:00:00Z", "2024-03-11T00:00:00Z", 5, "Mar 10|06:00|12:00|18:00"},
		{"2024-03-10T22:10:00Z", "2024-03-11T01:00:01Z", 4, "23:00|Mar 11|01:00"},
		{"2024-03-10T10:00:07Z", "2024-03-10T10:00:49Z", 4, "10:00:15|10:00:30|10:00:45"},
		{"2024-03-10T10:00:00.2Z", "2024-03-10T10:00:00.9Z", 4, "00.200|00.400|00.600|00.800"},
		{"2023-11-15T00:00:00Z", "2024-05-01T00:00:00Z", 6, "Dec|2024|Feb|Mar|Apr"},
		{"2001-06-01T00:00:00Z", "2024-05-01T00:00:00Z", 5, "2005|2010|2015|2020"},
		{"2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z", 9, "2024|Jan 8|Jan 15|Jan 22|Jan 29|Feb 5|Feb 12|Feb 19|Feb 26"},
	}
	for _, tt := range tests {
		var got []string
		ticks := TimeTicks(ns(t, tt.from), ns(t, tt.to), tt.n)
		for _, tk := range ticks {
			got = append(got, tk.Label)
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("TimeTicks(%s, %s, %d) = %q, want %q", tt.from, tt.to, tt.n, strings.Join(got, "|"), tt.want)
		}
	}
}

func TestCaption(t *testing.T) {
	if got, want := Caption(ns(t, "2020-01-01T00:00:00Z"), ns(t, "2020-01-06T00:00:00.000000001Z")), "UTC, 2020-01-01 00:00:00 to 2020-01-06 00:00:00"; got != want {
		t.Errorf("Caption = %q, want %q", got, want)
	}
	if got, want := Caption(ns(t, "2020-01-01T00:00:00.25Z"), ns(t, "2020-01-01T00:00:01Z")), "UTC, 2020-01-01 00:00:00.25 to 2020-01-01 00:00:01"; got != want {
		t.Errorf("Caption = %q, want %q", got, want)
	}
}
