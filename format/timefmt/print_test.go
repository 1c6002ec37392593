package timefmt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// The three instants sonnerie 0.9.1 printed in a recorded run.
const (
	nsOneAndAHalf = 1500000000
	nsNewYear2020 = 1577836800123456789
	nsFive        = 5
)

// mustLayout compiles a layout or fails the test.
func mustLayout(t testing.TB, s string) *Layout {
	t.Helper()
	l, err := ParseLayout(s)
	if err != nil {
		t.Fatalf("ParseLayout(%q): %v", s, err)
	}
	return l
}

// TestLayout_AppendTime_Transcript checks the exact text sonnerie printed.
func TestLayout_AppendTime_Transcript(t *testing.T) {
	tests := []struct {
		layout string
		want   [3]string // for 1.5 s, 1577836800.123456789 s, 5 ns
	}{
		{DefaultLayout, [3]string{"1970-01-01 00:00:01", "2020-01-01 00:00:00", "1970-01-01 00:00:00"}},
		{"%FT%T%.f", [3]string{"1970-01-01T00:00:01.500", "2020-01-01T00:00:00.123456789", "1970-01-01T00:00:00.000000005"}},
		{"%s.%f", [3]string{"1.500000000", "1577836800.123456789", "0.000000005"}},
		{"%.3f|%.6f|%.9f|%3f", [3]string{".500|.500000|.500000000|500", ".123|.123456|.123456789|123", ".000|.000000|.000000005|000"}},
		{"%+", [3]string{"1970-01-01T00:00:01.500+00:00", "2020-01-01T00:00:00.123456789+00:00", "1970-01-01T00:00:00.000000005+00:00"}},
		{"%j %e %b %a %y %I %p", [3]string{"001  1 Jan Thu 70 12 AM", "001  1 Jan Wed 20 12 AM", "001  1 Jan Thu 70 12 AM"}},
		{"%Y/%m/%d %H:%M:%S%.9f", [3]string{"1970/01/01 00:00:01.500000000", "2020/01/01 00:00:00.123456789", "1970/01/01 00:00:00.000000005"}},
		{"%6f %9f", [3]string{"500000 500000000", "123456 123456789", "000000 000000005"}},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			l := mustLayout(t, tt.layout)
			for i, ns := range []uint64{nsOneAndAHalf, nsNewYear2020, nsFive} {
				if got := string(l.AppendTime(nil, ns)); got != tt.want[i] {
					t.Errorf("AppendTime(%d) = %q, want %q", ns, got, tt.want[i])
				}
			}
		})
	}
}

// TestLayout_AppendTime_Specifiers prints every specifier for
// 2021-03-04 15:06:07.089 UTC, a Thursday, day 63, ISO week 9.
func TestLayout_AppendTime_Specifiers(t *testing.T) {
	const ns = 1614870367089000000
	tests := []struct{ layout, want string }{
		{"%Y", "2021"}, {"%C", "20"}, {"%y", "21"}, {"%G", "2021"}, {"%g", "21"},
		{"%m", "03"}, {"%b", "Mar"}, {"%h", "Mar"}, {"%B", "March"},
		{"%d", "04"}, {"%e", " 4"}, {"%j", "063"},
		{"%a", "Thu"}, {"%A", "Thursday"}, {"%w", "4"}, {"%u", "4"},
		{"%U", "09"}, {"%W", "09"}, {"%V", "09"},
		{"%H", "15"}, {"%k", "15"}, {"%I", "03"}, {"%l", " 3"}, {"%p", "PM"}, {"%P", "pm"},
		{"%M", "06"}, {"%S", "07"},
		{"%f", "089000000"}, {"%.f", ".089"}, {"%.3f", ".089"}, {"%.6f", ".089000"}, {"%.9f", ".089000000"},
		{"%3f", "089"}, {"%6f", "089000"}, {"%9f", "089000000"},
		{"%s", "1614870367"},
		{"%z", "+0000"}, {"%:z", "+00:00"}, {"%::z", "+00:00:00"}, {"%:::z", "+00"}, {"%#z", "+0000"}, {"%Z", "UTC"},
		{"%F", "2021-03-04"}, {"%T", "15:06:07"}, {"%X", "15:06:07"}, {"%D", "03/04/21"}, {"%x", "03/04/21"},
		{"%R", "15:06"}, {"%r", "03:06:07 PM"}, {"%c", "Thu Mar  4 15:06:07 2021"}, {"%v", " 4-Mar-2021"},
		{"%+", "2021-03-04T15:06:07.089+00:00"},
		{"%%", "%"}, {"%t", "\t"}, {"%n", "\n"}, {"a%%b %Y é", "a%b 2021 é"},
		{"%-d", "4"}, {"%_d", " 4"}, {"%0e", "04"}, {"%-m/%-d", "3/4"}, {"%_m", " 3"}, {"%-j", "63"},
		{"%_j", " 63"}, {"%-H", "15"}, {"%-I", "3"}, {"%0k", "15"}, {"%-f", "89000000"}, {"%_Y", "2021"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			if got := string(mustLayout(t, tt.layout).AppendTime(nil, ns)); got != tt.want {
				t.Errorf("AppendTime = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLayout_AppendTime_Edges covers midnight, noon, week 0, ISO weeks
// of the previous year, leap days and the largest timestamp.
func TestLayout_AppendTime_Edges(t *testing.T) {
	tests := []struct {
		ns     uint64
		layout string
		want   string
	}{
		{0, "%I %l %p %r", "12 12 AM 12:00:00 AM"},
		{12 * 3600 * 1e9, "%I %p %H", "12 PM 12"},
		{13 * 3600 * 1e9, "%I %p %H", "01 PM 13"},
		{1609459200e9, "%F %a %U %W %G-W%V-%u %j", "2021-01-01 Fri 00 00 2020-W53-5 001"},
		{1582934400e9, "%F %j", "2020-02-29 060"},
		{1609372800e9, "%F %j %G-W%V", "2020-12-31 366 2020-W53"},
		{math.MaxUint64, "%F %T%.f %s %a", "2554-07-21 23:34:33.709551615 18446744073 Sun"},
		{math.MaxUint64, DefaultLayout, "2554-07-21 23:34:33"},
		{1e6, "%.f", ".001"},
		{1e3, "%.f", ".000001"},
		{1e9, "[%.f]", "[]"},
		{nsNewYear2020, "%FT%T%.3f", "2020-01-01T00:00:00.123"},
		{nsNewYear2020, "%FT%T %Z", "2020-01-01T00:00:00 UTC"},
	}
	for _, tt := range tests {
		if got := string(mustLayout(t, tt.layout).AppendTime(nil, tt.ns)); got != tt.want {
			t.Errorf("%q.AppendTime(%d) = %q, want %q", tt.layout, tt.ns, got, tt.want)
		}
	}
}

// TestLayout_AppendTime_MatchesTime compares with Go's time package
// over random instants, on the fast path and the general one.
func TestLayout_AppendTime_MatchesTime(t *testing.T) {
	layouts := []struct{ strftime, goLayout string }{
		{"%F %T", "2006-01-02 15:04:05"},
		{"%FT%T", "2006-01-02T15:04:05"},
		{"%Y-%m-%d_%H:%M:%S.%9f", "2006-01-02_15:04:05.000000000"},
		{"%a %b %e %H:%M:%S %Y %j", "Mon Jan _2 15:04:05 2006 002"},
		{"%A %B %d %I:%M %p", "Monday January 02 03:04 PM"},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, lay := range layouts {
		l := mustLayout(t, lay.strftime)
		for range 20000 {
			ns := r.Uint64N(1 << 63) // time.Unix(0, ns) needs an int64
			want := time.Unix(0, int64(ns)).UTC().Format(lay.goLayout)
			if got := string(l.AppendTime(nil, ns)); got != want {
				t.Fatalf("%q.AppendTime(%d) = %q, want %q", lay.strftime, ns, got, want)
			}
		}
	}
}

// TestLayout_AppendTime_FastPath checks that the fast path prints what
// the general items would, including after the prefix.
func TestLayout_AppendTime_FastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []string{"%F %T", "%FT%T", "%Y-%m-%d %H:%M:%S", "%F_%T%.f", "%FT%T%.3fZ", "%F %T %j"} {
		l := mustLayout(t, s)
		if !l.fast {
			t.Fatalf("%q: no fast path", s)
		}
		slow := mustLayout(t, s)
		slow.fast = false
		ns := uint64(0)
		for i := range 20000 {
			if i%7 == 0 {
				ns = r.Uint64()
			} else {
				ns += r.Uint64N(3600e9)
			}
			got, want := l.AppendTime([]byte("x"), ns), slow.AppendTime([]byte("x"), ns)
			if string(got) != string(want) {
				t.Fatalf("%q.AppendTime(%d) = %q, want %q", s, ns, got, want)
			}
		}
	}
	for _, s := range []string{"%F%T", "%Y-%m-%-d %T", "%Y-%m-%e %T", "%F %R", "%F  %T"} {
		if mustLayout(t, s).fast {
			t.Errorf("%q: unexpected fast path", s)
		}
	}
}

// TestLayout_AppendTime_Concurrent shares one layout between
// goroutines printing different days: the date cache must stay coherent
// (run with -race).
func TestLayout_AppendTime_Concurrent(t *testing.T) {
	l := mustLayout(t, DefaultLayout)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var buf []byte
			for i := range 2000 {
				ns := uint64(g*1000+i) * 86400e9
				buf = l.AppendTime(buf[:0], ns)
				want := time.Unix(0, int64(ns)).UTC().Format("2006-01-02 15:04:05")
				if string(buf) != want {
					t.Errorf("AppendTime(%d) = %q, want %q", ns, buf, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestAppendSecondsNanos covers --timestamp-seconds and --timestamp-nanos.
func TestAppendSecondsNanos(t *testing.T) {
	tests := []struct {
		ns            uint64
		secs, decimal string
	}{
		{nsOneAndAHalf, "1", "1500000000"},
		{nsNewYear2020, "1577836800", "1577836800123456789"},
		{nsFive, "0", "5"},
		{math.MaxUint64, "18446744073", "18446744073709551615"},
	}
	for _, tt := range tests {
		if got := string(AppendSeconds([]byte("x"), tt.ns)); got != "x"+tt.secs {
			t.Errorf("AppendSeconds(%d) = %q, want %q", tt.ns, got, "x"+tt.secs)
		}
		if got := string(AppendNanos(nil, tt.ns)); got != tt.decimal {
			t.Errorf("AppendNanos(%d) = %q, want %q", tt.ns, got, tt.decimal)
		}
	}
}

// TestLayout_AppendTime_Allocs keeps printing allocation-free.
func TestLayout_AppendTime_Allocs(t *testing.T) {
	for _, s := range []string{DefaultLayout, "%FT%T%.f", "%+", "%c %j %s"} {
		l := mustLayout(t, s)
		buf := make([]byte, 0, 128)
		ns := uint64(nsNewYear2020)
		allocs := testing.AllocsPerRun(100, func() {
			ns += 86400e9
			buf = l.AppendTime(buf[:0], ns)
		})
		if allocs != 0 {
			t.Errorf("%q: %v allocations per AppendTime", s, allocs)
		}
	}
}

func BenchmarkAppendTime(b *testing.B) {
	benches := []struct {
		name, layout string
		step         uint64 // between consecutive rows
	}{
		{"layout=default", DefaultLayout, 1e9},
		{"layout=default/day=changing", DefaultLayout, 86400e9 + 1e9},
		{"layout=iso", "%FT%T", 1e9},
		{"layout=iso-frac", "%FT%T%.f", 1e9 + 1234567},
		{"layout=rfc3339", "%+", 1e9 + 1234567},
		{"layout=custom", "%Y/%m/%d %H:%M:%S%.9f", 1e9},
		{"layout=names", "%a %e %b %Y %I %p", 1e9},
		{"layout=epoch", "%s.%f", 1e9},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			l := mustLayout(b, bb.layout)
			buf := make([]byte, 0, 64)
			ns := uint64(nsNewYear2020)
			b.ReportAllocs()
			for b.Loop() {
				buf = l.AppendTime(buf[:0], ns)
				ns += bb.step
			}
			b.SetBytes(int64(len(buf)))
		})
	}
	b.Run("layout=seconds", func(b *testing.B) {
		benchAppend(b, AppendSeconds)
	})
	b.Run("layout=nanos", func(b *testing.B) {
		benchAppend(b, AppendNanos)
	})
}

// benchAppend measures one of the integer printers.
func benchAppend(b *testing.B, f func([]byte, uint64) []byte) {
	buf := make([]byte, 0, 64)
	ns := uint64(nsNewYear2020)
	b.ReportAllocs()
	for b.Loop() {
		buf = f(buf[:0], ns)
		ns += 1e9
	}
	b.SetBytes(int64(len(buf)))
}

// ExampleLayout_AppendTime prints a timestamp the way read does.
func ExampleLayout_AppendTime() {
	l, err := ParseLayout("%FT%T%.f")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(l.AppendTime(nil, 1577836800123456789)))
	// Output: 2020-01-01T00:00:00.123456789
}
