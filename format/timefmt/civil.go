package timefmt

// Civil (proleptic Gregorian, UTC) date arithmetic for timestamps.
//
// Days are counted from 1970-01-01 (day 0) and may be negative: a parsed
// local time with a negative offset, or a date checked against a %s value,
// can fall just before the epoch. The conversions are Howard Hinnant's
// days_from_civil and civil_from_days, which need no tables and work over
// whole 400-year eras, so they are exact for any year an int64 day count
// can hold once callers have bounded the year (see minCivilYear).

// Bounds on the years the parser converts to days. Every representable
// timestamp lies in 1970..2554; a local time one offset (under a day) away
// from it lies in 1969..2555. Years outside are rejected before any
// arithmetic, so nothing can overflow.
const (
	minCivilYear = 1969
	maxCivilYear = 2555
)

// secondsPerDay is the length of every civil day: timestamps are UTC without
// leap seconds, as in chrono's timestamp_nanos.
const secondsPerDay = 86400

// isLeap reports whether year has a February 29.
func isLeap(year int64) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// daysIn returns the number of days of month (1-12) in year.
func daysIn(year int64, month int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysInYear returns 365 or 366.
func daysInYear(year int64) int {
	if isLeap(year) {
		return 366
	}
	return 365
}

// daysFromCivil returns the day number of year-month-day. The date must be
// valid (month 1-12, day within the month).
func daysFromCivil(year int64, month, day int) int64 {
	if month <= 2 {
		year--
	}
	era := floorDiv(year, 400)
	yoe := year - era*400 // [0, 399]
	mp := int64(month+9) % 12
	doy := (153*mp+2)/5 + int64(day) - 1   // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468       // 719468: 0000-03-01 to 1970-01-01
}

// civilFromDays returns the date of day number days.
func civilFromDays(days int64) (year int64, month, day int) {
	if days >= 0 && days <= maxFastDays {
		y, m, d := civilFromDaysFast(uint32(days))
		return int64(y), int(m), int(d)
	}
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from March 1
	mp := (5*doy + 2) / 153                                // [0, 11], March = 0
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// maxFastDays bounds the days civilFromDaysFast is used for: well past the
// last timestamp (day 213503), well within its 32-bit arithmetic.
const maxFastDays = 1 << 20

// civilFromDaysFast is civilFromDays for days from 0 to maxFastDays, on the
// printing path: Neri and Schneider's algorithm ("Euclidean affine
// functions and their application to calendar algorithms", 2022), which
// replaces every division but one by a multiplication and a shift.
func civilFromDaysFast(days uint32) (year, month, day uint32) {
	// Shift the epoch to March 1 of year 0 so that leap days come last.
	n := days + 719468
	n1 := 4*n + 3
	century := n1 / 146097
	nc := n1 % 146097 / 4 // day of the century
	p2 := 2939745 * uint64(4*nc+3)
	yoc := uint32(p2 >> 32)         // year of the century
	doy := uint32(p2) / 2939745 / 4 // day of the year from March 1
	n3 := 2141*doy + 197913         // month and day in one number
	year, month, day = 100*century+yoc, n3>>16, (n3&0xFFFF)/2141+1
	if doy >= 306 { // January or February: the next civil year
		year, month = year+1, month-12
	}
	return year, month, day
}

// floorDiv divides rounding toward negative infinity, so that eras and
// weekdays of days before the epoch come out right.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// weekdayOf returns the day of the week of day number days, 0 = Sunday.
// 1970-01-01 was a Thursday.
func weekdayOf(days int64) int {
	return int((days%7 + 7 + 4) % 7)
}

// ordinalOf returns the day of the year (1-366) of a valid date.
func ordinalOf(year int64, month, day int) int {
	yday := int(daysBeforeMonth[month-1]) + day
	if month > 2 && isLeap(year) {
		yday++
	}
	return yday
}

// daysBeforeMonth counts the days of a common year before each month.
var daysBeforeMonth = [12]uint16{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

// isoWeeksIn returns the number of ISO 8601 weeks (52 or 53) of year: a year
// has 53 when it starts on a Thursday, or on a Wednesday in a leap year.
func isoWeeksIn(year int64) int {
	jan1 := weekdayOf(daysFromCivil(year, 1, 1))
	if jan1 == 4 || (jan1 == 3 && isLeap(year)) {
		return 53
	}
	return 52
}

// isoWeekOf returns the ISO 8601 week-numbering year and week (1-53) of a
// date given its year, day of the year (1-366) and weekday (0 = Sunday).
func isoWeekOf(year int64, yday, wday int) (isoYear int64, week int) {
	mon1 := (wday+6)%7 + 1 // 1 = Monday ... 7 = Sunday
	week = (yday - mon1 + 10) / 7
	switch {
	case week < 1:
		return year - 1, isoWeeksIn(year - 1)
	case week > isoWeeksIn(year):
		return year + 1, 1
	}
	return year, week
}

// isoWeekStart returns the day number of the Monday of ISO week 1 of year:
// the week holding January 4.
func isoWeekStart(year int64) int64 {
	jan4 := daysFromCivil(year, 1, 4)
	return jan4 - int64((weekdayOf(jan4)+6)%7)
}

// dateOfOrdinal returns the day number of day yday (1-366) of year, or
// false if the year is too short.
func dateOfOrdinal(year, yday int64) (int64, bool) {
	return daysFromCivil(year, 1, 1) + yday - 1, yday <= int64(daysInYear(year))
}

// dateOfISOWeek returns the day number of weekday wday (0 = Sunday) of ISO
// week (1-53) of isoYear, or false if that year has no such week.
func dateOfISOWeek(isoYear, week, wday int64) (int64, bool) {
	return isoWeekStart(isoYear) + (week-1)*7 + (wday+6)%7, week <= int64(isoWeeksIn(isoYear))
}

// dateOfWeek returns the day number of weekday wday (0 = Sunday) of week
// (0-53) of year, counted as strftime's %W if monday is set, else as %U:
// week 1 starts on the year's first Monday (Sunday), the days before it
// are week 0. It returns false if that day falls outside the year.
func dateOfWeek(year, week, wday int64, monday bool) (int64, bool) {
	jan1 := daysFromCivil(year, 1, 1)
	first := jan1 + int64((7-weekdayOf(jan1))%7) // the first Sunday
	if monday {
		first = jan1 + int64((8-weekdayOf(jan1))%7)
		wday = (wday + 6) % 7 // days since Monday
	}
	days := first + (week-1)*7 + wday
	return days, days >= jan1 && days < jan1+int64(daysInYear(year))
}

// weekFromSunday returns strftime's %U: the week of the year (00-53) where
// week 1 starts on the year's first Sunday.
func weekFromSunday(yday, wday int) int {
	return (yday - 1 + 7 - wday) / 7
}

// weekFromMonday returns strftime's %W: the week of the year (00-53) where
// week 1 starts on the year's first Monday.
func weekFromMonday(yday, wday int) int {
	return (yday - 1 + 7 - (wday+6)%7) / 7
}

// calendar is an instant broken down into every field strftime can print
// or the parser may have to check. Its year may be 1969 for a local time
// just before the epoch.
type calendar struct {
	year           int64
	month, day     int // 1-12, 1-31
	yday           int // 1-366
	wday           int // 0 = Sunday
	hour, min, sec int
	nano           int   // 0-999999999
	epoch          int64 // whole seconds since the epoch, UTC, for %s
}

// calendarOf breaks down local, seconds since the epoch in local time, and
// the fraction nano. epoch is the UTC value that %s shows (local minus the
// offset; the same as local when printing, which is always in UTC).
func calendarOf(local int64, nano int, epoch int64) calendar {
	days := floorDiv(local, secondsPerDay)
	sod := int(local - days*secondsPerDay)
	c := calendar{nano: nano, epoch: epoch}
	c.year, c.month, c.day = civilFromDays(days)
	c.yday = ordinalOf(c.year, c.month, c.day)
	c.wday = weekdayOf(days)
	c.hour, c.min, c.sec = sod/3600, sod/60%60, sod%60
	return c
}
