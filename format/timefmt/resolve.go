package timefmt

import (
	"errors"
	"fmt"
	"math"
)

// Resolving the fields that parsing found into one instant: a date from
// whichever fields give one (year, month and day; ordinal day; ISO or
// Sunday/Monday weeks), a time of day, an offset, and checks that fields
// given twice, or implied (a weekday), agree.

// Range errors. The last timestamp is 2^64-1 ns.
var (
	errBefore1970 = errors.New("before 1970-01-01 00:00:00 UTC")
	errAfterMax   = errors.New("after 2554-07-21 23:34:33.709551615 UTC, the largest timestamp")
)

// maxSeconds and maxLastNano split the largest timestamp.
const (
	maxSeconds  = math.MaxUint64 / 1_000_000_000
	maxLastNano = math.MaxUint64 % 1_000_000_000
)

// resolve turns the fields found into nanoseconds since the epoch.
func (p *timeFields) resolve() (uint64, error) {
	if p.got(fEpoch) {
		return p.resolveEpoch()
	}
	days, err := p.resolveDate()
	if err != nil {
		return 0, err
	}
	sod, err := p.resolveTime()
	if err != nil {
		return 0, err
	}
	return toNanos(days*secondsPerDay+sod-p.v[fOffset], p.v[fNano])
}

// resolveEpoch uses %s (plus any fraction). Date and time fields may come
// with it, but must then agree with it, in the local time of the offset.
func (p *timeFields) resolveEpoch() (uint64, error) {
	secs := p.v[fEpoch]
	if secs > maxSeconds { // before adding the offset, which could overflow
		return 0, errAfterMax
	}
	if mask := p.mask & (dateFieldMask | timeFieldMask); mask != 0 {
		c := calendarOf(secs+p.v[fOffset], 0, secs)
		if err := p.verify(&c, mask); err != nil {
			return 0, err
		}
	}
	return toNanos(secs, p.v[fNano])
}

// toNanos checks the range and converts.
func toNanos(secs, nano int64) (uint64, error) {
	switch {
	case secs < 0:
		return 0, errBefore1970
	case secs > maxSeconds || secs == maxSeconds && nano > maxLastNano:
		return 0, errAfterMax
	}
	return uint64(secs)*1e9 + uint64(nano), nil
}

// verify checks the fields in mask against the calendar c.
func (p *timeFields) verify(c *calendar, mask uint32) error {
	for f := range numFields {
		if mask&(1<<f) == 0 {
			continue
		}
		want := int64(c.hour / 12)
		if f != fPM {
			want = int64(numValue(fieldInfo[f].op, c))
		}
		if p.v[f] != want {
			return fmt.Errorf("%s %d does not match the rest of the timestamp", fieldInfo[f].name, p.v[f])
		}
	}
	return nil
}

// checkYear rejects years no timestamp can be in, before any arithmetic.
func checkYear(y int64) error {
	switch {
	case y < minCivilYear:
		return errBefore1970
	case y > maxCivilYear:
		return errAfterMax
	}
	return nil
}

// yearOf returns the year given by full (%Y or %G), or by short (%y or %g)
// with century (%C) or chrono's default century (19 for 70-99, else 20).
// It also returns the mask of the fields it used; the others are checked
// against the resolved date.
func (p *timeFields) yearOf(full, century, short field) (int64, uint32, bool) {
	switch {
	case p.got(full):
		return p.v[full], 1 << full, true
	case p.got(short):
		c := int64(20)
		if p.v[short] >= 70 {
			c = 19
		}
		if p.got(century) {
			c = p.v[century]
		}
		return c*100 + p.v[short], 1<<short | 1<<century, true
	}
	return 0, 0, false
}

var errNoDay = errors.New("missing date")

// resolveDate finds the day from year, month and day; or year and day of
// the year; or ISO year, ISO week and weekday; or year, %U or %W week and
// weekday, in that order. Date fields not used are checked against the
// result.
func (p *timeFields) resolveDate() (int64, error) {
	days, used, err := p.pickDate()
	if err != nil {
		return 0, err
	}
	if rest := p.mask & dateFieldMask &^ used; rest != 0 {
		c := calendarOf(days*secondsPerDay, 0, 0)
		if err := p.verify(&c, rest); err != nil {
			return 0, err
		}
	}
	return days, nil
}

// pickDate computes the day and the mask of the fields it came from.
func (p *timeFields) pickDate() (int64, uint32, error) {
	y, yUsed, okY := p.yearOf(fYear, fCentury, fYear2)
	switch {
	case okY && p.got(fMonth) && p.got(fDay):
		return p.dateFromDay(y, yUsed)
	case okY && p.got(fYday):
		return p.dateFromOrdinal(y, yUsed)
	}
	if iy, iyUsed, ok := p.yearOf(fISOYear, fCentury, fISOYear2); ok && p.got(fISOWeek) && p.got(fWday) {
		return p.dateFromISOWeek(iy, iyUsed)
	}
	if okY && p.got(fWday) && (p.got(fWeekSun) || p.got(fWeekMon)) {
		return p.dateFromWeek(y, yUsed)
	}
	return 0, 0, errNoDay
}

// dateFromDay resolves year-month-day.
func (p *timeFields) dateFromDay(y int64, used uint32) (int64, uint32, error) {
	if err := checkYear(y); err != nil {
		return 0, 0, err
	}
	m, d := int(p.v[fMonth]), int(p.v[fDay])
	if d > daysIn(y, m) {
		return 0, 0, fmt.Errorf("invalid date %d-%02d-%02d", y, m, d)
	}
	return daysFromCivil(y, m, d), used | 1<<fMonth | 1<<fDay, nil
}

// dateFromOrdinal resolves year and day of the year.
func (p *timeFields) dateFromOrdinal(y int64, used uint32) (int64, uint32, error) {
	if err := checkYear(y); err != nil {
		return 0, 0, err
	}
	days, ok := dateOfOrdinal(y, p.v[fYday])
	if !ok {
		return 0, 0, fmt.Errorf("invalid date: day %d of %d", p.v[fYday], y)
	}
	return days, used | 1<<fYday, nil
}

// dateFromISOWeek resolves ISO year, ISO week and weekday.
func (p *timeFields) dateFromISOWeek(iy int64, used uint32) (int64, uint32, error) {
	if err := checkYear(iy); err != nil {
		return 0, 0, err
	}
	days, ok := dateOfISOWeek(iy, p.v[fISOWeek], p.v[fWday])
	if !ok {
		return 0, 0, fmt.Errorf("invalid date: ISO year %d has no week %d", iy, p.v[fISOWeek])
	}
	return days, used | 1<<fISOWeek | 1<<fWday, nil
}

// dateFromWeek resolves year, %U (or else %W) week and weekday.
func (p *timeFields) dateFromWeek(y int64, used uint32) (int64, uint32, error) {
	if err := checkYear(y); err != nil {
		return 0, 0, err
	}
	f := fWeekSun
	if !p.got(fWeekSun) {
		f = fWeekMon
	}
	days, ok := dateOfWeek(y, p.v[f], p.v[fWday], f == fWeekMon)
	if !ok {
		return 0, 0, fmt.Errorf("invalid date: week %d weekday %d is not in %d", p.v[f], p.v[fWday], y)
	}
	return days, used | 1<<f | 1<<fWday, nil
}

var (
	errNoClock = errors.New("missing time")
	errNoAmPm  = errors.New("missing time: a 12-hour clock needs AM or PM")
)

// resolveTime returns the seconds of the day from the hour (%H, or %I and
// %p) and minute, with the second defaulting to 0 as in chrono. Second 60
// (a leap second) counts as the first second of the next minute, which is
// what chrono's timestamps make of it. A layout with no time of day at all
// (%F, %b %e %Y) means midnight: chrono (and sonnerie) refused it, but a
// date column is what spreadsheets and data sets have. A layout with part
// of a time (an hour without minutes) is still an error.
func (p *timeFields) resolveTime() (int64, error) {
	if p.mask&timeFieldMask == 0 {
		return 0, nil
	}
	var h int64
	switch {
	case p.got(fHour):
		h = p.v[fHour]
		if mask := p.mask & (1<<fHour12 | 1<<fPM); mask != 0 {
			c := calendar{hour: int(h)}
			if err := p.verify(&c, mask); err != nil {
				return 0, err
			}
		}
	case p.got(fHour12) && p.got(fPM):
		h = p.v[fHour12]%12 + 12*p.v[fPM]
	case p.got(fHour12):
		return 0, errNoAmPm
	default:
		return 0, errNoClock
	}
	if !p.got(fMinute) {
		return 0, errNoClock
	}
	return h*3600 + p.v[fMinute]*60 + p.v[fSecond], nil
}
