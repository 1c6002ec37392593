package timefmt

import (
	"testing"
	"time"
)

// TestCivil_MatchesTime checks the date arithmetic against Go's time
// package for every day from year -3000 to 7000, which covers the fast
// path (days 0 to 2^20) and the general one on both sides of the epoch.
func TestCivil_MatchesTime(t *testing.T) {
	first := time.Date(-3000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
	last := time.Date(7000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
	for days := first; days <= last; days++ {
		tm := time.Unix(days*secondsPerDay, 0).UTC()
		y, m, d := civilFromDays(days)
		if y != int64(tm.Year()) || m != int(tm.Month()) || d != tm.Day() {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", days, y, m, d, tm.Format(time.DateOnly))
		}
		if got := daysFromCivil(y, m, d); got != days {
			t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, days)
		}
		checkCalendar(t, days, tm)
	}
}

// checkCalendar compares the fields of calendarOf with tm's.
func checkCalendar(t *testing.T, days int64, tm time.Time) {
	t.Helper()
	c := calendarOf(days*secondsPerDay+45296, 7, 0) // 12:34:56
	isoY, isoW := tm.ISOWeek()
	gotY, gotW := isoWeekOf(c.year, c.yday, c.wday)
	switch {
	case c.yday != tm.YearDay() || c.wday != int(tm.Weekday()):
		t.Fatalf("day %d: yday %d wday %d, want %d %d", days, c.yday, c.wday, tm.YearDay(), tm.Weekday())
	case c.hour != 12 || c.min != 34 || c.sec != 56 || c.nano != 7:
		t.Fatalf("day %d: time %d:%d:%d.%d", days, c.hour, c.min, c.sec, c.nano)
	case gotY != int64(isoY) || gotW != isoW:
		t.Fatalf("day %d: ISO week %d-W%d, want %d-W%d", days, gotY, gotW, isoY, isoW)
	case isoWeekStart(gotY)+int64(gotW-1)*7+int64((c.wday+6)%7) != days:
		t.Fatalf("day %d: isoWeekStart(%d) = %d", days, gotY, isoWeekStart(gotY))
	}
}

// TestCivil_WeekNumbers checks %U and %W against their definition: the
// number of Sundays (Mondays) of the year up to and including the day.
func TestCivil_WeekNumbers(t *testing.T) {
	for y := int64(1969); y <= 2556; y++ {
		sundays, mondays := 0, 0
		jan1 := daysFromCivil(y, 1, 1)
		for yday := 1; yday <= daysInYear(y); yday++ {
			wday := weekdayOf(jan1 + int64(yday-1))
			if wday == 0 {
				sundays++
			}
			if wday == 1 {
				mondays++
			}
			if got := weekFromSunday(yday, wday); got != sundays {
				t.Fatalf("%d day %d: %%U = %d, want %d", y, yday, got, sundays)
			}
			if got := weekFromMonday(yday, wday); got != mondays {
				t.Fatalf("%d day %d: %%W = %d, want %d", y, yday, got, mondays)
			}
			checkDateOf(t, y, yday, wday, sundays, mondays)
		}
	}
}

// checkDateOf checks that the ordinal and week-based conversions lead
// back to day yday of y.
func checkDateOf(t *testing.T, y int64, yday, wday, weekSun, weekMon int) {
	t.Helper()
	want := daysFromCivil(y, 1, 1) + int64(yday-1)
	if got, ok := dateOfOrdinal(y, int64(yday)); got != want || !ok {
		t.Fatalf("dateOfOrdinal(%d, %d) = %d, %v; want %d", y, yday, got, ok, want)
	}
	if got, ok := dateOfWeek(y, int64(weekSun), int64(wday), false); got != want || !ok {
		t.Fatalf("%d day %d: dateOfWeek %%U = %d, %v; want %d", y, yday, got, ok, want)
	}
	if got, ok := dateOfWeek(y, int64(weekMon), int64(wday), true); got != want || !ok {
		t.Fatalf("%d day %d: dateOfWeek %%W = %d, %v; want %d", y, yday, got, ok, want)
	}
}

// TestCivil_DateOfInvalid checks that days outside their year are refused.
func TestCivil_DateOfInvalid(t *testing.T) {
	if _, ok := dateOfOrdinal(2021, 366); ok {
		t.Error("day 366 of 2021 accepted")
	}
	if _, ok := dateOfISOWeek(2021, 53, 1); ok {
		t.Error("2021-W53 accepted")
	}
	if _, ok := dateOfISOWeek(2020, 53, 1); !ok {
		t.Error("2020-W53 refused")
	}
	if _, ok := dateOfWeek(2021, 0, 0, false); ok { // Sunday 2020-12-27
		t.Error("2021, Sunday-based week 00, Sunday accepted")
	}
	if _, ok := dateOfWeek(2021, 52, 6, true); ok { // Saturday 2022-01-01
		t.Error("2021, Monday-based week 52, Saturday accepted")
	}
}

// TestCivil_Leap covers the leap year rules and month lengths.
func TestCivil_Leap(t *testing.T) {
	for _, tt := range []struct {
		year int64
		leap bool
	}{{1900, false}, {2000, true}, {2020, true}, {2021, false}, {2100, false}, {2400, true}, {-4, true}, {-100, false}} {
		if isLeap(tt.year) != tt.leap {
			t.Errorf("isLeap(%d) = %v", tt.year, !tt.leap)
		}
		if want := 28 + map[bool]int{true: 1}[tt.leap]; daysIn(tt.year, 2) != want {
			t.Errorf("daysIn(%d, 2) = %d, want %d", tt.year, daysIn(tt.year, 2), want)
		}
	}
	for m, want := range []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31} {
		if got := daysIn(2021, m+1); got != want {
			t.Errorf("daysIn(2021, %d) = %d, want %d", m+1, got, want)
		}
	}
}

func BenchmarkCivilFromDays(b *testing.B) {
	b.Run("path=fast", func(b *testing.B) {
		var sink int64
		days := int64(18000)
		for b.Loop() {
			y, m, d := civilFromDays(days)
			sink += y + int64(m+d)
			days++
		}
		_ = sink
	})
	b.Run("path=general", func(b *testing.B) {
		var sink int64
		days := int64(-18000)
		for b.Loop() {
			y, m, d := civilFromDays(days)
			sink += y + int64(m+d)
			days--
		}
		_ = sink
	})
}
