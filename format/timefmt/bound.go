package timefmt

import (
	"errors"
	"fmt"
)

// boundForms is what ParseBound accepts, for its error messages.
const boundForms = "want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD HH:MM:SS, " +
	"optionally with a fraction (.5) and Z, +hh:mm or +hh"

// ParseBound parses the value of --after-time, --before-time and --time:
// a date (midnight) or a date and time, in UTC unless an offset follows.
// sonnerie took YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS and YYYY-MM-DD HH:MM:SS;
// chime also takes a fraction of a second of 1 to 9 digits and a Z, +hh:mm,
// -hh:mm (or +hhmm) suffix. Month, day and time fields may be unpadded, as
// chrono allowed.
func ParseBound(s string) (uint64, error) {
	ns, err := parseBound(s)
	if err != nil {
		return 0, fmt.Errorf("invalid time %q: %v (%s)", s, err, boundForms)
	}
	return ns, nil
}

// boundScanner walks a time bound left to right.
type boundScanner struct {
	s []byte
	i int
}

// more reports whether input is left.
func (b *boundScanner) more() bool { return b.i < len(b.s) }

// accept consumes c if it comes next.
func (b *boundScanner) accept(c byte) bool {
	if b.more() && b.s[b.i] == c {
		b.i++
		return true
	}
	return false
}

// number reads min to max digits as the field name, no larger than hi.
// max is at most 9, so v cannot overflow.
func (b *boundScanner) number(name string, min, max int, hi int64) (int64, error) {
	start := b.i
	v, n, _ := scanDigits(b.s[start:], max)
	b.i += n
	switch {
	case n < min && start < len(b.s):
		return 0, fmt.Errorf("expected %s, found %q", name, b.s[start:])
	case n < min:
		return 0, fmt.Errorf("expected %s, found end of input", name)
	case v > hi:
		return 0, fmt.Errorf("%s %d out of range", name, v)
	}
	return v, nil
}

// literal consumes c or fails naming what it separates.
func (b *boundScanner) literal(c byte) error {
	if b.accept(c) {
		return nil
	}
	if !b.more() {
		return fmt.Errorf("expected %q, found end of input", c)
	}
	return fmt.Errorf("expected %q, found %q", c, b.s[b.i:])
}

// parseBound does the work of ParseBound.
func parseBound(s string) (uint64, error) {
	b := &boundScanner{s: []byte(s)}
	days, err := b.date()
	if err != nil {
		return 0, err
	}
	if !b.more() {
		return toNanos(days*secondsPerDay, 0)
	}
	if !b.accept('T') && !b.accept('t') && !b.accept(' ') {
		return 0, fmt.Errorf("expected T or a space after the date, found %q", s[b.i:])
	}
	sod, err := b.clock()
	if err != nil {
		return 0, err
	}
	nano, err := b.fraction()
	if err != nil {
		return 0, err
	}
	offset, err := b.offset()
	if err != nil {
		return 0, err
	}
	if b.more() {
		return 0, fmt.Errorf("trailing text %q", s[b.i:])
	}
	return toNanos(days*secondsPerDay+sod-offset, nano)
}

// date reads YYYY-MM-DD and returns its day number.
func (b *boundScanner) date() (int64, error) {
	y, err := b.number("4-digit year", 4, 4, 9999)
	if err != nil {
		return 0, err
	}
	if err := b.literal('-'); err != nil {
		return 0, err
	}
	m, err := b.number("month", 1, 2, 12)
	if err != nil {
		return 0, err
	}
	if err := b.literal('-'); err != nil {
		return 0, err
	}
	d, err := b.number("day", 1, 2, 31)
	if err != nil {
		return 0, err
	}
	if m < 1 || d < 1 || d > int64(daysIn(y, int(m))) {
		return 0, fmt.Errorf("invalid date %04d-%02d-%02d", y, m, d)
	}
	return daysFromCivil(y, int(m), int(d)), nil
}

// clock reads HH:MM:SS and returns the seconds of the day.
func (b *boundScanner) clock() (int64, error) {
	h, err := b.number("hour", 1, 2, 23)
	if err != nil {
		return 0, err
	}
	if err := b.literal(':'); err != nil {
		return 0, err
	}
	m, err := b.number("minute", 1, 2, 59)
	if err != nil {
		return 0, err
	}
	if err := b.literal(':'); err != nil {
		return 0, err
	}
	sec, err := b.number("second", 1, 2, 59)
	if err != nil {
		return 0, err
	}
	return h*3600 + m*60 + sec, nil
}

var errLongFraction = errors.New("more than 9 fraction digits")

// fraction reads an optional .D to .DDDDDDDDD in nanoseconds.
func (b *boundScanner) fraction() (int64, error) {
	if !b.accept('.') {
		return 0, nil
	}
	start := b.i
	v, err := b.number("fraction digits", 1, 9, 999999999)
	if err != nil {
		return 0, err
	}
	if b.more() && b.s[b.i] >= '0' && b.s[b.i] <= '9' {
		return 0, errLongFraction
	}
	return v * fracScale[9-(b.i-start)], nil
}

// offset reads an optional Z, +hh:mm, -hh:mm, +hhmm, -hhmm, +hh or -hh
// (ISO 8601's short form, which DuckDB and PostgreSQL print) and returns
// it in seconds east of UTC.
func (b *boundScanner) offset() (int64, error) {
	if b.accept('Z') || b.accept('z') {
		return 0, nil
	}
	sign := int64(1)
	switch {
	case b.accept('-'):
		sign = -1
	case b.accept('+'):
	default:
		return 0, nil
	}
	h, err := b.number("offset hours", 2, 2, 23)
	if err != nil {
		return 0, err
	}
	if !b.more() {
		return sign * h * 3600, nil
	}
	b.accept(':')
	m, err := b.number("offset minutes", 2, 2, 59)
	if err != nil {
		return 0, err
	}
	return sign * (h*3600 + m*60), nil
}
