package timefmt

import (
	"errors"
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"
)

// Parsing timestamps the way chrono's parse_from_str does: the layout's
// items consume the input left to right, each numeric field taking up to
// its printed width of digits after any whitespace (so "2020-1-4" and
// "20200104" both work), whitespace in the layout matching any run of
// whitespace, literal text matching exactly. The fields found are then
// resolved into one instant, checked for consistency (a weekday must match
// the date), and anything left over is an error.

// ParseTime parses b, a timestamp in the layout, into nanoseconds since the
// epoch. The layout must yield both a date and a time of day (or %s); the
// offset of %z, if any, is applied; the result must lie in 1970..2554.
func (l *Layout) ParseTime(b []byte) (uint64, error) {
	if l.parseFast {
		if ns, ok := l.parseCanonical(b); ok {
			return ns, nil
		}
	}
	var p timeFields
	rest, err := p.run(l.items, b)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("trailing text %q", rest)
	}
	var ns uint64
	if err == nil {
		ns, err = p.resolve()
	}
	if err != nil {
		return 0, fmt.Errorf("timestamp %q does not match %q: %w", b, l.src, err)
	}
	return ns, nil
}

// parseCanonical reads the layouts of the fast path (see Layout) in
// the form they print: YYYY-MM-DD?HH:MM:SS, zero-padded, the fraction
// being a dot and 1 to 9 digits. It gives up (false) on anything else,
// unpadded fields and errors included, leaving those to the general
// parser, which would return the same value for what this accepts.
func (l *Layout) parseCanonical(b []byte) (uint64, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != l.sep || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	yh, ok1 := twoDigits(b[0:2])
	yl, ok2 := twoDigits(b[2:4])
	mo, ok3 := twoDigits(b[5:7])
	d, ok4 := twoDigits(b[8:10])
	h, ok5 := twoDigits(b[11:13])
	mi, ok6 := twoDigits(b[14:16])
	s, ok7 := twoDigits(b[17:19])
	y := yh*100 + yl
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || y < 1970 || y > 2554 ||
		mo < 1 || mo > 12 || d < 1 || d > int64(daysIn(y, int(mo))) || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	nano, ok := canonicalFrac(b[19:], len(l.rest) > 0)
	if !ok {
		return 0, false
	}
	ns, err := toNanos(daysFromCivil(y, int(mo), int(d))*secondsPerDay+h*3600+mi*60+s, nano)
	return ns, err == nil
}

// twoDigits reads two decimal digits.
func twoDigits(b []byte) (int64, bool) {
	hi, lo := b[0]-'0', b[1]-'0'
	return int64(hi)*10 + int64(lo), hi <= 9 && lo <= 9
}

// canonicalFrac reads what follows the seconds on the canonical path:
// nothing, or if the layout has a fraction, a dot and 1 to 9 digits.
func canonicalFrac(b []byte, frac bool) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	if !frac || b[0] != '.' || len(b) > 10 {
		return 0, false
	}
	v, n, _ := scanDigits(b[1:], 9)
	return v * fracScale[9-n], n > 0 && n == len(b)-1
}

// field is one value that parsing can find.
type field uint8

const (
	fYear     field = iota // %Y
	fCentury               // %C
	fYear2                 // %y
	fISOYear               // %G
	fISOYear2              // %g
	fMonth
	fDay
	fYday
	fWday // 0 = Sunday
	fWeekSun
	fWeekMon
	fISOWeek
	fHour
	fHour12
	fPM // 0 = AM, 1 = PM
	fMinute
	fSecond
	fNano
	fEpoch  // %s
	fOffset // seconds east of UTC
	numFields
)

// dateFieldMask and timeFieldMask select the fields that name a date or a
// time of day, which are checked against %s or against the resolved date.
const (
	dateFieldMask = 1<<fYear | 1<<fCentury | 1<<fYear2 | 1<<fISOYear | 1<<fISOYear2 |
		1<<fMonth | 1<<fDay | 1<<fYday | 1<<fWday | 1<<fWeekSun | 1<<fWeekMon | 1<<fISOWeek
	timeFieldMask = 1<<fHour | 1<<fHour12 | 1<<fPM | 1<<fMinute | 1<<fSecond
)

// fieldInfo names each field for errors, gives its valid range (chrono's)
// and the numeric op that prints it, used to check it against a date.
var fieldInfo = [numFields]struct {
	name     string
	min, max int64
	op       timeOp
}{
	fYear:     {"year", math.MinInt64, math.MaxInt64, opYear},
	fCentury:  {"century", 0, math.MaxInt64, opCentury},
	fYear2:    {"year", 0, 99, opYear2},
	fISOYear:  {"ISO year", math.MinInt64, math.MaxInt64, opISOYear},
	fISOYear2: {"ISO year", 0, 99, opISOYear2},
	fMonth:    {"month", 1, 12, opMonth},
	fDay:      {"day", 1, 31, opDay},
	fYday:     {"day of the year", 1, 366, opYday},
	fWday:     {"weekday", 0, 6, opWdaySun0},
	fWeekSun:  {"week", 0, 53, opWeekSun},
	fWeekMon:  {"week", 0, 53, opWeekMon},
	fISOWeek:  {"ISO week", 1, 53, opISOWeek},
	fHour:     {"hour", 0, 23, opHour},
	fHour12:   {"hour", 1, 12, opHour12},
	fPM:       {"AM/PM", 0, 1, opLit},
	fMinute:   {"minute", 0, 59, opMinute},
	fSecond:   {"second", 0, 60, opSecond},
	fNano:     {"nanosecond", 0, 999999999, opNanoDigits},
	fEpoch:    {"seconds since the epoch", 0, math.MaxInt64, opEpoch},
	fOffset:   {"offset", -86399, 86399, opLit},
}

// timeFields collects what the items of a layout found. mask has bit f set
// once v[f] holds a value.
type timeFields struct {
	mask uint32
	v    [numFields]int64
}

// got reports whether f was found.
func (p *timeFields) got(f field) bool { return p.mask&(1<<f) != 0 }

// put records v for f. Like chrono, a field found twice must agree.
func (p *timeFields) put(f field, v int64) error {
	info := &fieldInfo[f]
	if v < info.min || v > info.max {
		return fmt.Errorf("%s %d out of range", info.name, v)
	}
	if p.got(f) && p.v[f] != v {
		return fmt.Errorf("%s given twice: %d and %d", info.name, p.v[f], v)
	}
	p.mask |= 1 << f
	p.v[f] = v
	return nil
}

// run matches items against s and returns what is left of s.
func (p *timeFields) run(items []timeItem, s []byte) ([]byte, error) {
	for i := range items {
		var err error
		if s, err = p.step(&items[i], s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// step matches one item at the start of s.
func (p *timeFields) step(it *timeItem, s []byte) ([]byte, error) {
	switch it.op {
	case opLit:
		if len(it.text) == 1 && len(s) > 0 && s[0] == it.text[0] {
			return s[1:], nil
		}
		if len(s) < len(it.text) || string(s[:len(it.text)]) != it.text {
			return s, timeExpected(fmt.Sprintf("%q", it.text), s)
		}
		return s[len(it.text):], nil
	case opSpace:
		return trimLeftSpace(s), nil
	case opMonthAbbr, opMonthName:
		return p.scanMonth(s, it.op == opMonthName)
	case opWdayAbbr, opWdayName:
		return p.scanWeekday(s, it.op == opWdayName)
	case opAmPmLower, opAmPmUpper:
		return p.scanAmPm(s)
	case opFrac, opFrac3, opFrac6, opFrac9:
		return p.scanFrac(s)
	case opFrac3NoDot, opFrac6NoDot, opFrac9NoDot:
		return p.scanFixedFrac(s, fracDigits(it.op))
	case opZoneName:
		return skipZoneName(s), nil
	case opOffset, opOffsetColon, opOffset2, opOffset3, opOffsetAny:
		return p.scanOffset(s, it.op)
	case opRFC3339:
		return p.scanRFC3339(s)
	}
	return p.scanNumeric(it.op, s)
}

// timeExpected describes a mismatch: what the layout wanted, and what is there.
func timeExpected(want string, s []byte) error {
	if len(s) == 0 {
		return fmt.Errorf("expected %s, found end of input", want)
	}
	return fmt.Errorf("expected %s, found %q", want, s)
}

// trimLeftSpace drops leading whitespace, Unicode's as Rust's
// char::is_whitespace (the same set as unicode.IsSpace).
func trimLeftSpace(s []byte) []byte {
	for len(s) > 0 {
		if c := s[0]; c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				return s
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRune(s)
		if !unicode.IsSpace(r) {
			return s
		}
		s = s[n:]
	}
	return s
}

// skipZoneName skips %Z: chrono accepts any run of non-whitespace there
// and ignores it, having no time zone database.
func skipZoneName(s []byte) []byte {
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		if unicode.IsSpace(r) {
			break
		}
		s = s[n:]
	}
	return s
}

// opField maps each numeric op to the field it sets.
var opField = [...]field{
	opYear: fYear, opCentury: fCentury, opYear2: fYear2, opISOYear: fISOYear,
	opISOYear2: fISOYear2, opMonth: fMonth, opDay: fDay, opYday: fYday,
	opWdaySun0: fWday, opWdayMon1: fWday, opWeekSun: fWeekSun, opWeekMon: fWeekMon,
	opISOWeek: fISOWeek, opHour: fHour, opHour12: fHour12, opMinute: fMinute,
	opSecond: fSecond, opNanoDigits: fNano, opEpoch: fEpoch,
}

// scanNumeric reads a numeric field: optional whitespace, then 1 to
// numWidth digits (a signed year, or %s, may have any number).
func (p *timeFields) scanNumeric(op timeOp, s []byte) ([]byte, error) {
	f := opField[op]
	s = trimLeftSpace(s)
	width, neg := numWidth(op), false
	if op == opEpoch {
		width = len(s)
	}
	if (op == opYear || op == opISOYear) && len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg, s, width = s[0] == '-', s[1:], len(s)-1
	}
	v, n, ok := scanDigits(s, width)
	if n == 0 {
		return s, timeExpected(fieldInfo[f].name, s)
	}
	if !ok {
		return s, fmt.Errorf("%s %s out of range", fieldInfo[f].name, s[:n])
	}
	if neg {
		v = -v
	}
	if op == opWdayMon1 {
		if v < 1 || v > 7 {
			return s, fmt.Errorf("weekday %d out of range", v)
		}
		v %= 7
	}
	return s[n:], p.put(f, v)
}

// scanDigits reads up to max decimal digits from the start of s. ok is
// false when they overflow an int64.
func scanDigits(s []byte, max int) (v int64, n int, ok bool) {
	ok = true
	for n < max && n < len(s) && s[n] >= '0' && s[n] <= '9' {
		d := int64(s[n] - '0')
		if n >= 18 && v > (math.MaxInt64-d)/10 {
			ok = false
		}
		v = v*10 + d
		n++
	}
	return v, n, ok
}

// foldPrefix reports whether s starts with name, ignoring ASCII case.
func foldPrefix(s []byte, name string) bool {
	if len(s) < len(name) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if s[i]|0x20 != name[i]|0x20 {
			return false
		}
	}
	return true
}

// scanName matches one of names by its first three letters, then by the
// whole name if long is set and it is there (chrono's greedy rule), and
// returns its index.
func scanName(s []byte, names []string, long bool) (int, int) {
	for i, name := range names {
		if !foldPrefix(s, name[:3]) {
			continue
		}
		if long && foldPrefix(s, name) {
			return i, len(name)
		}
		return i, 3
	}
	return -1, 0
}

// scanMonth reads %b (an abbreviation) or %B (a full name or abbreviation).
func (p *timeFields) scanMonth(s []byte, long bool) ([]byte, error) {
	i, n := scanName(s, monthNames[:], long)
	if i < 0 {
		return s, timeExpected("month name", s)
	}
	return s[n:], p.put(fMonth, int64(i+1))
}

// scanWeekday reads %a (an abbreviation) or %A (a name or abbreviation).
func (p *timeFields) scanWeekday(s []byte, long bool) ([]byte, error) {
	i, n := scanName(s, weekdayNames[:], long)
	if i < 0 {
		return s, timeExpected("weekday name", s)
	}
	return s[n:], p.put(fWday, int64(i))
}

// scanAmPm reads %p or %P, in either case.
func (p *timeFields) scanAmPm(s []byte) ([]byte, error) {
	switch {
	case foldPrefix(s, "am"):
		return s[2:], p.put(fPM, 0)
	case foldPrefix(s, "pm"):
		return s[2:], p.put(fPM, 1)
	}
	return s, timeExpected("AM or PM", s)
}

// scanFrac reads %.f, %.3f, %.6f or %.9f: chrono takes a dot and 1 to 9
// digits if there is a dot, nothing otherwise, and ignores digits past the
// ninth.
func (p *timeFields) scanFrac(s []byte) ([]byte, error) {
	if len(s) == 0 || s[0] != '.' {
		return s, nil
	}
	v, n, _ := scanDigits(s[1:], 9)
	if n == 0 {
		return s, timeExpected("digits after the dot", s[1:])
	}
	s = s[1+n:]
	for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		s = s[1:]
	}
	return s, p.put(fNano, v*fracScale[9-n])
}

// fracScale scales a fraction of n digits to nanoseconds.
var fracScale = [10]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// scanFixedFrac reads %3f, %6f or %9f: exactly that many digits.
func (p *timeFields) scanFixedFrac(s []byte, digits int) ([]byte, error) {
	v, n, _ := scanDigits(s, digits)
	if n < digits {
		return s, timeExpected(fmt.Sprintf("%d fraction digits", digits), s)
	}
	return s[n:], p.put(fNano, v*fracScale[9-n])
}

// scanOffset reads a UTC offset: optional whitespace, then Z, or a sign
// (+, - or U+2212), two hour digits, any colons or spaces, two minute
// digits. chrono accepts Z only for %#z; chime takes it everywhere, as a
// superset. The minutes may be left out for %#z; %:::z reads hours and
// only a directly following :MM, and %::z may carry :SS seconds, so that
// what chime prints parses back.
func (p *timeFields) scanOffset(s []byte, op timeOp) ([]byte, error) {
	s = trimLeftSpace(s)
	if len(s) > 0 && (s[0] == 'Z' || s[0] == 'z') {
		return s[1:], p.put(fOffset, 0)
	}
	sign, s, ok := offsetSign(s)
	if !ok {
		return s, timeExpected("offset", s)
	}
	h, n, _ := scanDigits(s, 2)
	if n < 2 {
		return s, timeExpected("offset hours", s)
	}
	s = s[2:]
	rest := skipColonsSpaces(s)
	if op == opOffset3 && (len(s) == 0 || s[0] != ':') {
		rest = nil // hours only, unless :MM follows at once
	}
	m, n, _ := scanDigits(rest, 2)
	switch {
	case n == 2:
		s = rest[2:]
	case op == opOffset3 || op == opOffsetAny:
		m = 0
	default:
		return s, timeExpected("offset minutes", rest)
	}
	var sec int64
	if op == opOffset2 && len(s) >= 3 && s[0] == ':' {
		if v, n, _ := scanDigits(s[1:], 2); n == 2 {
			sec, s = v, s[3:]
		}
	}
	if m > 59 || sec > 59 {
		return s, errors.New("offset minutes or seconds out of range")
	}
	return s, p.put(fOffset, sign*(h*3600+m*60+sec))
}

// offsetSign reads the sign of an offset.
func offsetSign(s []byte) (int64, []byte, bool) {
	switch {
	case len(s) > 0 && s[0] == '+':
		return 1, s[1:], true
	case len(s) > 0 && s[0] == '-':
		return -1, s[1:], true
	case len(s) >= 3 && string(s[:3]) == "\u2212":
		return -1, s[3:], true
	}
	return 0, s, false
}

// skipColonsSpaces skips chrono's colon_or_space: any colons and spaces.
func skipColonsSpaces(s []byte) []byte {
	for {
		t := trimLeftSpace(s)
		if len(t) == 0 || t[0] != ':' {
			return t
		}
		s = t[1:]
	}
}

// The items of chrono's relaxed RFC 3339 parser, which %+ uses: spaces
// allowed around the separators, fields unpadded.
var (
	rfc3339Date = [...]timeItem{{op: opYear, pad: padZero}, {op: opSpace}, {op: opLit, text: "-"},
		{op: opMonth, pad: padZero}, {op: opSpace}, {op: opLit, text: "-"}, {op: opDay, pad: padZero}}
	rfc3339Time = [...]timeItem{{op: opHour, pad: padZero}, {op: opSpace}, {op: opLit, text: ":"},
		{op: opMinute, pad: padZero}, {op: opSpace}, {op: opLit, text: ":"}, {op: opSecond, pad: padZero},
		{op: opFrac}, {op: opSpace}}
)

// scanRFC3339 reads %+: date, T (or t or a space), time, fraction, then an
// offset, Z, or UTC.
func (p *timeFields) scanRFC3339(s []byte) ([]byte, error) {
	s, err := p.run(rfc3339Date[:], s)
	if err != nil {
		return s, err
	}
	if len(s) == 0 || (s[0] != 'T' && s[0] != 't' && s[0] != ' ') {
		return s, timeExpected(`"T"`, s)
	}
	if s, err = p.run(rfc3339Time[:], s[1:]); err != nil {
		return s, err
	}
	s = trimLeftSpace(s)
	if foldPrefix(s, "utc") {
		return s[3:], p.put(fOffset, 0)
	}
	return p.scanOffset(s, opOffsetColon)
}
