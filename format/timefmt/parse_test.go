package timefmt

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestLayout_ParseTime_Transcript replays the timestamps sonnerie 0.9.1 read in a recorded run.
func TestLayout_ParseTime_Transcript(t *testing.T) {
	tests := []struct {
		layout, in string
		want       uint64
		err        string // exact message when not ""
	}{
		{"%FT%T%.f", "2020-01-01T00:00:00.5", 1577836800500000000, ""},
		{"%FT%T%.f", "2020-01-01T00:00:01.123456789", 1577836801123456789, ""},
		{"%FT%T%.f", "2020-01-01T00:00:02", 1577836802000000000, ""},
		{"%FT%T", "2020-01-01T00:00:00.5", 0, `timestamp "2020-01-01T00:00:00.5" does not match "%FT%T": trailing text ".5"`},
		{"%F", "2020-01-01", 1577836800000000000, ""}, // Fix: sonnerie said "missing time"
		{"%s", "1577836800", 1577836800000000000, ""},
		{"%F %T", "2020-01-01 00:00:00", 1577836800000000000, ""},
		{"%F %T", "2020-01-01", 0, `timestamp "2020-01-01" does not match "%F %T": expected hour, found end of input`},
		{"%Y-%m-%dT%H:%M:%S", "2020-1-4T5:6:7", 1578114367000000000, ""},
	}
	for _, tt := range tests {
		got, err := mustLayout(t, tt.layout).ParseTime([]byte(tt.in))
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%q.ParseTime(%q) = %d, %v; want error %q", tt.layout, tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%q.ParseTime(%q) = %d, %v; want %d", tt.layout, tt.in, got, err, tt.want)
		}
	}
}

// TestLayout_ParseTime_Specifiers reads every specifier. The instant is
// 2021-03-04 15:06:07 UTC, a Thursday, day 63, ISO 2021-W09-4, %U and %W 09.
func TestLayout_ParseTime_Specifiers(t *testing.T) {
	const base = 1614870367 * uint64(1e9)
	tests := []struct {
		layout, in string
		want       uint64
	}{
		{"%Y-%m-%d %H:%M:%S", "2021-03-04 15:06:07", base},
		{"%F %T", "2021-03-04 15:06:07", base},
		{"%F %H:%M", "2021-03-04 15:06", base - 7e9},
		{"%C%y-%m-%d %T", "2021-03-04 15:06:07", base},
		{"%y-%m-%d %T", "21-03-04 15:06:07", base},
		{"%y-%m-%d %T", "70-01-01 00:00:00", 0},
		{"%Y-%j %T", "2021-063 15:06:07", base},
		{"%G-W%V-%u %T", "2021-W09-4 15:06:07", base},
		{"%g-W%V-%w %T", "21-W09-4 15:06:07", base},
		{"%Y %U %w %T", "2021 09 4 15:06:07", base},
		{"%Y %W %a %T", "2021 09 Thu 15:06:07", base},
		{"%Y %b %d %T", "2021 mar 04 15:06:07", base},
		{"%Y %h %d %T", "2021 MAR 04 15:06:07", base},
		{"%Y %B %d %T", "2021 March 04 15:06:07", base},
		{"%Y %B %d %T", "2021 Mar 04 15:06:07", base},
		{"%A %d %B %Y %T", "thursday 04 march 2021 15:06:07", base},
		{"%a %b %e %T %Y", "Thu Mar  4 15:06:07 2021", base},
		{"%c", "Thu Mar  4 15:06:07 2021", base},
		{"%v %T", " 4-Mar-2021 15:06:07", base},
		{"%D %T", "03/04/21 15:06:07", base},
		{"%x %X", "03/04/21 15:06:07", base},
		{"%F %I:%M:%S %p", "2021-03-04 03:06:07 PM", base},
		{"%F %I:%M:%S %P", "2021-03-04 03:06:07 pm", base},
		{"%F %I:%M:%S %p", "2021-03-04 12:06:07 am", base - 15*3600e9},
		{"%F %I:%M:%S %p", "2021-03-04 12:06:07 PM", base - 3*3600e9},
		{"%F %H:%M:%S %p", "2021-03-04 15:06:07 PM", base},
		{"%F %r", "2021-03-04 03:06:07 PM", base},
		{"%F %k:%M:%S", "2021-03-04 15:06:07", base},
		{"%F %l:%M:%S %p", "2021-03-04  3:06:07 pm", base},
		{"%F %R:%S", "2021-03-04 15:06:07", base},
		{"%F %T%.f", "2021-03-04 15:06:07.089", base + 89e6},
		{"%F %T%.f", "2021-03-04 15:06:07", base},
		{"%F %T%.f", "2021-03-04 15:06:07.0890000001", base + 89e6},
		{"%F %T%.3f", "2021-03-04 15:06:07.089123", base + 89123e3},
		{"%F %T%.6f", "2021-03-04 15:06:07.5", base + 5e8},
		{"%F %T%.9f", "2021-03-04 15:06:07.000000001", base + 1},
		{"%F %T.%3f", "2021-03-04 15:06:07.089", base + 89e6},
		{"%F %T.%6f", "2021-03-04 15:06:07.089001", base + 89001e3},
		{"%F %T.%9f", "2021-03-04 15:06:07.089000001", base + 89000001},
		{"%F %T.%f", "2021-03-04 15:06:07.089000000", base + 89e6},
		{"%F %T.%f", "2021-03-04 15:06:07.5", base + 5},
		{"%s", "1614870367", base},
		{"%s%.f", "1614870367.089", base + 89e6},
		{"%s.%f", "1614870367.089000000", base + 89e6},
		{"%s %F %T", "1614870367 2021-03-04 15:06:07", base},
		{"%s %z %H", "1614870367 +0100 16", base},
		{"%F %T %z", "2021-03-04 16:06:07 +0100", base},
		{"%F %T %z", "2021-03-04 16:06:07 +01:00", base},
		{"%F %T %z", "2021-03-04 13:36:07 -0130", base},
		{"%F %T %z", "2021-03-04 13:36:07 \u22120130", base},
		{"%F %T %z", "2021-03-04 15:06:07 Z", base},
		{"%F %T%:z", "2021-03-04 16:06:07+01:00", base},
		{"%F %T%::z", "2021-03-04 16:06:08+01:00:01", base},
		{"%F %T%:::z", "2021-03-04 16:06:07+01", base},
		{"%F %T%:::z", "2021-03-04 16:36:07+01:30", base},
		{"%F %T%#z", "2021-03-04 16:06:07+01", base},
		{"%F %T%#z", "2021-03-04 15:06:07z", base},
		{"%F %T %Z", "2021-03-04 15:06:07 UTC", base},
		{"%+", "2021-03-04T15:06:07.089+00:00", base + 89e6},
		{"%+", "2021-03-04T15:06:07Z", base},
		{"%+", "2021-03-04 15:06:07 UTC", base},
		{"%+", "2021-3-4t16:06:07+0100", base},
		{"%F%t%T", "2021-03-04 15:06:07", base},
		{"%F%n%T", "2021-03-04\n15:06:07", base},
		{"%F %T", "2021-03-04   15:06:07", base},
		{"%F %T", "2021-03-0415:06:07", base},
		{"%F %T", "2021-03-04\u00a015:06:07", base},
		{"%%%F %T", "%2021-03-04 15:06:07", base},
		{"%Y%m%d%H%M%S", "20210304150607", base},
		{"%Y-%m-%dT%H:%M:%S", "2021-3-4T15:6:7", base},
		{"%Y-%m-%dT%H:%M:%S", "2021- 3- 4T15: 6: 7", base},
		{"%F %T", "2021-03-04 15:06:60", base + 53e9},
		{"%e %b %Y %T", " 4 Mar 2021 15:06:07", base},
		{"%-d/%-m/%Y %_H:%0M:%S", "4/3/2021 15:06:07", base},
		{"%F %T", "1970-01-01 00:00:00", 0},
		{"%F %T%.f", "2554-07-21 23:34:33.709551615", math.MaxUint64},
		{"%F %T %z", "1969-12-31 23:30:00 -0100", 1800e9},
		{"%F %T %z", "2554-07-22 00:34:33 +0100", 18446744073000000000},
		{"%Y %m %d %H %M", "+2021 3 4 15 6", base - 7e9},
	}
	for _, tt := range tests {
		got, err := mustLayout(t, tt.layout).ParseTime([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("%q.ParseTime(%q) = %d, %v; want %d", tt.layout, tt.in, got, err, tt.want)
		}
	}
}

// TestLayout_ParseTime_Errors checks that bad input fails, saying why.
func TestLayout_ParseTime_Errors(t *testing.T) {
	tests := []struct{ layout, in, err string }{
		{"%T", "00:00:00", "missing date"},
		{"%F %H", "2020-01-01 05", "missing time"},
		{"%F %I:%M", "2020-01-01 03:04", "needs AM or PM"},
		{"%F %T", "2020-02-30 00:00:00", "invalid date 2020-02-30"},
		{"%F %T", "2021-02-29 00:00:00", "invalid date 2021-02-29"},
		{"%F %T", "2020-13-01 00:00:00", "month 13 out of range"},
		{"%F %T", "2020-00-01 00:00:00", "month 0 out of range"},
		{"%F %T", "2020-01-32 00:00:00", "day 32 out of range"},
		{"%F %T", "2020-01-01 24:00:00", "hour 24 out of range"},
		{"%F %T", "2020-01-01 00:60:00", "minute 60 out of range"},
		{"%F %T", "2020-01-01 00:00:61", "second 61 out of range"},
		{"%F %T", "1969-12-31 23:59:59", "before 1970"},
		{"%F %T", "0001-01-01 00:00:00", "before 1970"},
		{"%F %T", "-2021-01-01 00:00:00", "before 1970"},
		{"%F %T", "+99999999999999999999-01-01 00:00:00", "year 99999999999999999999 out of range"},
		{"%F %T", "2554-07-21 23:34:34", "after 2554-07-21 23:34:33.709551615"},
		{"%F %T", "9999-01-01 00:00:00", "after 2554"},
		{"%F %T%.f", "2554-07-21 23:34:33.709551616", "after 2554"},
		{"%F %T %z", "1970-01-01 00:30:00 +0100", "before 1970"},
		{"%F %T %z", "2554-07-21 23:34:34 +2400", "offset 86400 out of range"},
		{"%F %T %z", "2020-01-01 00:00:00 +01", "expected offset minutes"},
		{"%F %T %z", "2020-01-01 00:00:00 +0160", "offset minutes or seconds out of range"},
		{"%F %T %z", "2020-01-01 00:00:00 EST", `expected offset, found "EST"`},
		{"%F %T %a", "2021-03-04 15:06:07 Fri", "weekday 5 does not match"},
		{"%F %T %j", "2021-03-04 15:06:07 064", "day of the year 64 does not match"},
		{"%Y %y-%m-%d %T", "2021 22-03-04 15:06:07", "year 22 does not match"},
		{"%F %T %p", "2021-03-04 15:06:07 AM", "AM/PM 0 does not match"},
		{"%F %H %I:%M", "2021-03-04 15 02:06", "hour 2 does not match"},
		{"%F %d %T", "2021-03-04 05 15:06:07", "day given twice: 4 and 5"},
		{"%s %F", "1614870367 2021-03-05", "day 5 does not match"},
		{"%F %T", "2021-03-04 15:06", `expected ":", found end of input`},
		{"%F %T", "2021-03-04 15:06:xx", `expected second, found "xx"`},
		{"%F %T", "", "expected year, found end of input"},
		{"%FT%T", "2021-03-04 15:06:07", `expected "T", found " 15:06:07"`},
		{"%F %T", "2021-03-04 15:06:07 ", `trailing text " "`},
		{"%F %T", "2021-03-04 15:06:070", `trailing text "0"`},
		{"%F %T%.f", "2021-03-04 15:06:07.", "expected digits after the dot"},
		{"%F %T.%3f", "2021-03-04 15:06:07.08", "expected 3 fraction digits"},
		{"%s", "-5", "expected seconds since the epoch"},
		{"%s", "18446744074", "after 2554"},
		{"%s", "99999999999999999999999", "seconds since the epoch 99999999999999999999999 out of range"},
		{"%s.%f", "18446744073.709551616", "after 2554"},
		{"%G-W%V-%u %T", "2021-W53-1 00:00:00", "ISO year 2021 has no week 53"},
		{"%Y %U %w %T", "2021 00 0 00:00:00", "is not in 2021"},
		{"%Y-%j %T", "2021-366 00:00:00", "day 366 of 2021"},
		{"%Y %b %d %T", "2021 Mrz 04 15:06:07", `expected month name, found "Mrz 04 15:06:07"`},
		{"%a %F %T", "Don 2021-03-04 15:06:07", "expected weekday name"},
		{"%F %I:%M %p", "2021-03-04 03:06 xm", "expected AM or PM"},
		{"%F %T %u", "2021-03-04 15:06:07 8", "weekday 8 out of range"},
		{"%+", "2021-03-04T15:06:07", "expected offset, found end of input"},
		{"%+", "2021-03-04X15:06:07Z", `expected "T", found "X15:06:07Z"`},
	}
	for _, tt := range tests {
		got, err := mustLayout(t, tt.layout).ParseTime([]byte(tt.in))
		if err == nil {
			t.Errorf("%q.ParseTime(%q) = %d, want an error", tt.layout, tt.in, got)
			continue
		}
		prefix := "timestamp " + strconv.Quote(tt.in) + " does not match " + strconv.Quote(tt.layout) + ": "
		if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.err) {
			t.Errorf("%q.ParseTime(%q) error %q, want %q...%q", tt.layout, tt.in, msg, prefix, tt.err)
		}
	}
}

// fullPrecisionLayouts print every bit of a timestamp in a form that
// parses back unambiguously: printing then parsing must give the same ns.
var fullPrecisionLayouts = []string{
	"%FT%T%.f", "%F %T%.9f", "%+", "%s.%f", "%s%.f", "%s%.9f", "%s.%9f",
	"%Y%m%d%H%M%S%9f", "%Y-%j %T%.f", "%c%.f", "%G-W%V-%u %T%.f",
	"%Y %U %a %T %9f", "%Y %W %u %T %9f", "%C%y-%m-%d %I:%M:%S %p %f",
	"%Y-%m-%dT%H:%M:%S%.f%z", "%F %T%.f %Z", "%a, %d %b %Y %H:%M:%S%.f %:z",
	"%FT%T%.f%::z", "%FT%T%.f%:::z", "%FT%T%.f%#z", "%e-%B-%Y %k.%M.%S%.9f",
	"%A %-d %B %Y %l:%M:%S %P %-f ns", "%D %T%.f %Y",
}

// TestLayout_RoundTrip prints and parses random timestamps, the
// extremes and day, month and year boundaries.
func TestLayout_RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	values := []uint64{0, 1, 999999999, 1e9, math.MaxUint64, math.MaxUint64 - 1, 18446744073000000000,
		nsOneAndAHalf, nsNewYear2020, nsFive, 951782400e9, 951868800e9 - 1, 4107542400e9}
	for range 3000 {
		values = append(values, r.Uint64(), r.Uint64N(213503)*86400e9, r.Uint64()/1e9*1e9, r.Uint64()/1e6*1e6)
	}
	for _, s := range fullPrecisionLayouts {
		l := mustLayout(t, s)
		for _, ns := range values {
			out := l.AppendTime(nil, ns)
			back, err := l.ParseTime(out)
			if err != nil || back != ns {
				t.Fatalf("%q: %d printed %q, parsed back %d, %v", s, ns, out, back, err)
			}
		}
	}
}

// TestLayout_ParseTime_Allocs keeps successful parsing allocation-free.
func TestLayout_ParseTime_Allocs(t *testing.T) {
	for _, tt := range []struct{ layout, in string }{
		{"%FT%T", "2020-01-01T00:00:00"},
		{"%FT%T%.f", "2020-01-01T00:00:00.123456789"},
		{"%+", "2020-01-01T00:00:00.5+01:00"},
		{"%d/%b/%Y:%H:%M:%S %z", "04/Mar/2021:15:06:07 +0100"},
	} {
		l, in := mustLayout(t, tt.layout), []byte(tt.in)
		if allocs := testing.AllocsPerRun(100, func() { _, _ = l.ParseTime(in) }); allocs != 0 {
			t.Errorf("%q: %v allocations per ParseTime", tt.layout, allocs)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	benches := []struct{ name, layout, in string }{
		{"layout=iso", "%FT%T", "2020-01-01T12:34:56"},
		{"layout=iso-frac", "%FT%T%.f", "2020-01-01T12:34:56.123456789"},
		{"layout=default", DefaultLayout, "2020-01-01 12:34:56"},
		{"layout=epoch", "%s", "1577836800"},
		{"layout=rfc3339", "%+", "2020-01-01T12:34:56.5+01:00"},
		{"layout=clf", "%d/%b/%Y:%H:%M:%S %z", "04/Mar/2021:15:06:07 +0100"},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			l, in := mustLayout(b, bb.layout), []byte(bb.in)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.ParseTime(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzParseTime parses fuzzed input with fuzzed layouts: nothing may
// panic; the canonical fast path must agree with the general parser; what
// parses must print and parse back to the same nanoseconds for the
// full-precision layouts, and to the same text for any unambiguous one.
func FuzzParseTime(f *testing.F) {
	for _, s := range fullPrecisionLayouts {
		l := mustLayout(f, s)
		for _, ns := range []uint64{0, nsOneAndAHalf, nsNewYear2020, nsFive, math.MaxUint64} {
			f.Add(s, l.AppendTime(nil, ns))
		}
	}
	f.Add("%FT%T", []byte("2020-01-01T00:00:00.5"))
	f.Add("%F", []byte("2020-01-01"))
	f.Add("%Y-%m-%dT%H:%M:%S", []byte("2020-1-4T5:6:7"))
	f.Add("%j %e %b %a %y %I %p", []byte("001  1 Jan Thu 70 12 AM"))
	f.Add("%F %T %z", []byte("2020-01-01 00:00:00 -01:30"))
	f.Add("%Y%m%d%k%M%S", []byte("2000011000010")) // ambiguous: " 0"+"01" reads back as "00"
	full := make(map[string]bool)
	for _, s := range fullPrecisionLayouts {
		full[s] = true
	}
	f.Fuzz(func(t *testing.T, layout string, in []byte) {
		l, err := ParseLayout(layout)
		if err != nil {
			return
		}
		ns, err := l.ParseTime(in)
		checkCanonical(t, layout, in, ns, err)
		if err != nil {
			return
		}
		out := l.AppendTime(nil, ns)
		back, err := l.ParseTime(out)
		switch {
		case full[layout] && (err != nil || back != ns):
			t.Fatalf("%q: %q parsed as %d, printed %q, parsed back %d, %v", layout, in, ns, out, back, err)
		case err == nil && !ambiguous(l.items) && string(l.AppendTime(nil, back)) != string(out):
			t.Fatalf("%q: %q parsed as %d, printed %q, parsed back %d, printed %q",
				layout, in, ns, out, back, l.AppendTime(nil, back))
		}
	})
}

// checkCanonical checks that the general parser agrees with ParseTime,
// which may have taken the canonical fast path.
func checkCanonical(t *testing.T, layout string, in []byte, ns uint64, err error) {
	t.Helper()
	slow := mustLayout(t, layout)
	slow.parseFast = false
	ns2, err2 := slow.ParseTime(in)
	if ns != ns2 || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
		t.Fatalf("%q.ParseTime(%q) = %d, %v; the general parser says %d, %v", layout, in, ns, err, ns2, err2)
	}
}

// TestLayout_ParseTime_Canonical compares the canonical fast path
// with the general parser on printed timestamps and damaged copies.
func TestLayout_ParseTime_Canonical(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, layout := range []string{DefaultLayout, "%FT%T", "%FT%T%.f", "%F %T%.3f", "%F_%T%.9f"} {
		l := mustLayout(t, layout)
		if !l.parseFast {
			t.Fatalf("%q: no fast parse", layout)
		}
		for range 20000 {
			in := l.AppendTime(nil, r.Uint64())
			switch r.IntN(4) {
			case 1:
				in[r.IntN(len(in))] = "09:-. Tx"[r.IntN(8)]
			case 2:
				in = append(in, "0.5 "[r.IntN(4)])
			case 3:
				in = in[:r.IntN(len(in))]
			}
			ns, err := l.ParseTime(in)
			checkCanonical(t, layout, in, ns, err)
		}
	}
}

// ambiguous reports whether printed text of a layout can parse back
// differently, as chrono would too: a field of variable width (unpadded,
// space-padded, %s, a fraction) directly followed by digits, %Z followed by
// anything but whitespace (it skips to the next), or %:::z followed by a
// colon (taken for offset minutes).
func ambiguous(items []timeItem) bool {
	for i := 0; i+1 < len(items); i++ {
		it, next := items[i], items[i+1]
		variable := (it.op.isNumeric() && (it.pad != padZero || it.op == opEpoch)) ||
			it.op == opFrac || it.op == opFrac3 || it.op == opFrac6 || it.op == opFrac9
		switch {
		case variable && startsWithDigit(next):
			return true
		case it.op == opZoneName && next.op != opSpace:
			return true
		case it.op == opOffset3 && next.op == opLit && next.text[0] == ':':
			return true
		}
	}
	return false
}

// startsWithDigit reports whether what an item prints can start with a
// digit.
func startsWithDigit(it timeItem) bool {
	switch it.op {
	case opLit:
		return it.text[0] >= '0' && it.text[0] <= '9'
	case opFrac3NoDot, opFrac6NoDot, opFrac9NoDot:
		return true
	}
	return it.op.isNumeric()
}

// TestLayout_ParseTime_DateOnly checks the fix of sonnerie's "missing
// time": a layout with a date and no time of day reads midnight UTC (or
// midnight at the offset of %z), while part of a time is still refused.
func TestLayout_ParseTime_DateOnly(t *testing.T) {
	const jan1 = 1577836800000000000 // 2020-01-01T00:00:00Z
	tests := []struct {
		layout, in string
		want       uint64
	}{
		{"%F", "2020-01-01", jan1},
		{"%Y/%m/%d", "2020/1/1", jan1},
		{"%b %e %Y", "Jan  1 2020", jan1},
		{"%b %e %Y", "Jan 1 2020", jan1},
		{"%d.%m.%Y", "02.01.2020", jan1 + 86400e9},
		{"%F %z", "2020-01-01 +0100", jan1 - 3600e9},
		{"%j/%Y", "366/2020", jan1 + 365*86400e9},
	}
	for _, tt := range tests {
		got, err := mustLayout(t, tt.layout).ParseTime([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("%q.ParseTime(%q) = %d, %v; want %d", tt.layout, tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ layout, in string }{{"%F %H", "2020-01-01 05"}, {"%F %M", "2020-01-01 05"}} {
		if _, err := mustLayout(t, bad.layout).ParseTime([]byte(bad.in)); err == nil || !strings.Contains(err.Error(), "missing time") {
			t.Errorf("%q.ParseTime(%q): %v, want missing time", bad.layout, bad.in, err)
		}
	}
}
