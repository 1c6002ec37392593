package timefmt

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestParseBound covers the time bounds sonnerie 0.9.1 took in a recorded run
// and chime's additions.
func TestParseBound(t *testing.T) {
	const jan4 = 1578096000 * uint64(1e9) // 2020-01-04 00:00:00 UTC
	tests := []struct {
		in   string
		want uint64
	}{
		{"2020-01-04", jan4},
		{"2020-01-04T00:00:00", jan4},
		{"2020-01-04 00:00:00", jan4},
		{"2020-01-04t00:00:00", jan4},
		{"2020-1-4", jan4},
		{"2020-01-04T01:02:03", jan4 + 3723e9},
		{"2020-01-04T1:2:3", jan4 + 3723e9},
		{"2020-01-04T00:00:00.5", jan4 + 5e8},
		{"2020-01-04T00:00:00.000000001", jan4 + 1},
		{"2020-01-04T00:00:00.123456789Z", jan4 + 123456789},
		{"2020-01-04T00:00:00Z", jan4},
		{"2020-01-04T00:00:00z", jan4},
		{"2020-01-04T01:30:00+01:30", jan4},
		{"2020-01-04T01:30:00+0130", jan4},
		{"2020-01-03T22:30:00-01:30", jan4},
		{"1970-01-01", 0},
		{"1970-01-01T01:00:00+01:00", 0},
		{"2554-07-21T23:34:33.709551615", math.MaxUint64},
		{"2020-02-29", 1582934400e9},
	}
	for _, tt := range tests {
		got, err := ParseBound(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBound(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// TestParseBound_Errors checks that bad bounds fail, saying why.
func TestParseBound_Errors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"", "expected 4-digit year, found end of input"},
		{"yesterday", `expected 4-digit year, found "yesterday"`},
		{"20-01-04", `expected 4-digit year, found "20-01-04"`},
		{"2020/01/04", `expected '-', found "/01/04"`},
		{"2020-01", "expected '-', found end of input"},
		{"2020-13-01", "month 13 out of range"},
		{"2020-00-01", "invalid date 2020-00-01"},
		{"2021-02-29", "invalid date 2021-02-29"},
		{"2020-01-04T", "expected hour, found end of input"},
		{"2020-01-04_00:00:00", `expected T or a space after the date, found "_00:00:00"`},
		{"2020-01-04T00:00", "expected ':', found end of input"},
		{"2020-01-04T24:00:00", "hour 24 out of range"},
		{"2020-01-04T00:60:00", "minute 60 out of range"},
		{"2020-01-04T00:00:60", "second 60 out of range"},
		{"2020-01-04T00:00:00.", "expected fraction digits, found end of input"},
		{"2020-01-04T00:00:00.1234567891", "more than 9 fraction digits"},
		{"2020-01-04T00:00:00+1", "expected offset hours"},
		{"2020-01-04T00:00:00+01:3", "expected offset minutes"},
		{"2020-01-04T00:00:00+24:00", "offset hours 24 out of range"},
		{"2020-01-04T00:00:00 UTC", `trailing text " UTC"`},
		{"2020-01-04 ", "expected hour, found end of input"},
		{"2020-01-04T00:00:00ZZ", `trailing text "Z"`},
		{"1969-12-31", "before 1970"},
		{"1970-01-01T00:00:00+00:01", "before 1970"},
		{"2554-07-21T23:34:34", "after 2554-07-21 23:34:33.709551615"},
		{"9999-12-31", "after 2554"},
	}
	for _, tt := range tests {
		got, err := ParseBound(tt.in)
		if err == nil {
			t.Errorf("ParseBound(%q) = %d, want an error", tt.in, got)
			continue
		}
		prefix := "invalid time " + strconv.Quote(tt.in) + ": "
		if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.err) ||
			!strings.HasSuffix(msg, "("+boundForms+")") {
			t.Errorf("ParseBound(%q) error %q, want %q...%q...", tt.in, msg, prefix, tt.err)
		}
	}
}

// FuzzParseBound: no panic, and a bound that parses prints (as
// %FT%T%.f) to a bound that parses to the same nanoseconds.
func FuzzParseBound(f *testing.F) {
	for _, s := range []string{"2020-01-04", "2020-01-04T00:00:00", "2020-01-04 00:00:00",
		"2020-01-04T00:00:00.5Z", "2020-01-04T01:30:00+01:30", "2554-07-21T23:34:33.709551615", "1970-01-01"} {
		f.Add(s)
	}
	l := mustLayout(f, "%FT%T%.f")
	f.Fuzz(func(t *testing.T, in string) {
		ns, err := ParseBound(in)
		if err != nil {
			return
		}
		out := string(l.AppendTime(nil, ns))
		back, err := ParseBound(out)
		if err != nil || back != ns {
			t.Fatalf("%q: %d printed %q, parsed back %d, %v", in, ns, out, back, err)
		}
	})
}

// TestParseInput reads the timestamps of CSV, JSON and Parquet input
// without a layout: nanoseconds, dates, RFC 3339.
func TestParseInput(t *testing.T) {
	const jan1 = 1577836800000000000
	tests := []struct {
		in   string
		want uint64
		err  string
	}{
		{"1577836800000000000", jan1, ""},
		{"+5", 5, ""},
		{"18446744073709551615", math.MaxUint64, ""},
		{"18446744073709551616", 0, "out of range"},
		{"2020-01-01", jan1, ""},
		{"2020-01-01T00:00:00Z", jan1, ""},
		{"2020-01-01T00:00:00.5Z", jan1 + 5e8, ""},
		{"2020-01-01 01:00:00+01:00", jan1, ""},
		{"2020-01-01 01:00:00+01", jan1, ""},
		{"2019-12-31 23:00:00-01", jan1, ""},
		{"Jan 1 2020", 0, "give --timestamp-format"},
		{"", 0, "want integer nanoseconds"},
		{"-5", 0, "want integer nanoseconds"},
	}
	for _, tt := range tests {
		got, err := ParseInput([]byte(tt.in))
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseInput(%q) = %d, %v; want error with %q", tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseInput(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}
