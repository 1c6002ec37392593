package agg

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"1ns", 1}, {"10s", 10e9}, {"5m", 300e9}, {"17m", 17 * 60e9}, {"1h", 3600e9},
		{"1d", 86400e9}, {"1w", 604800e9}, {"1h30m", 5400e9}, {"250ms", 250e6},
		{"3us", 3000}, {"3µs", 3000}, {"0s1ns", 1}, {"18446744073709551615ns", 18446744073709551615},
		{"007s", 7e9},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseDuration_Errors(t *testing.T) {
	for _, in := range []string{"", "0s", "0h0m", "-1h", "+1h", "1", "h", "1x", "1.5h", "1 h", " 1h", "1h ", "1H",
		"18446744073709551616ns", "18446744073709551615ns1ns", "99999999999w", "1e3s", "1hh"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %d, want an error", in, got)
		} else if !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("ParseDuration(%q): error %q does not name the input", in, err)
		}
	}
}

// FuzzParseDuration checks that any accepted duration is positive and
// equals the sum of its terms written back in nanoseconds.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"10s", "1h30m", "1w", "0s", "18446744073709551615ns", "5µs", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, err := ParseDuration(s)
		if err != nil {
			return
		}
		if ns == 0 {
			t.Fatalf("ParseDuration(%q) = 0 without an error", s)
		}
		again, err := ParseDuration(strconv.FormatUint(ns, 10) + "ns")
		if err != nil || again != ns {
			t.Fatalf("ParseDuration(%q) = %d, but %dns parses to %d, %v", s, ns, ns, again, err)
		}
	})
}
