package timefmt

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/chime-tsdb/chime/format/internal/decimal"
)

// Printing timestamps. Everything here appends to a caller's buffer and
// allocates nothing once the buffer has room; read prints one timestamp per
// row, so the default layout takes the fast path of appendFast.

// AppendTime appends ns, nanoseconds since the epoch, formatted in UTC.
func (l *Layout) AppendTime(dst []byte, ns uint64) []byte {
	items := l.items
	if l.fast {
		dst = l.appendFast(dst, ns)
		if len(l.rest) == 0 {
			return dst
		}
		items = l.rest
	}
	var c calendar
	if l.fast && l.restFrac {
		c.nano = int(ns % 1e9)
	} else {
		secs := int64(ns / 1e9)
		c = calendarOf(secs, int(ns%1e9), secs)
	}
	for i := range items {
		dst = appendItem(dst, &items[i], &c)
	}
	return dst
}

// AppendSeconds appends floor(ns / 1e9) in decimal (--timestamp-seconds).
func AppendSeconds(dst []byte, ns uint64) []byte {
	return decimal.AppendUint(dst, ns/1e9)
}

// AppendNanos appends ns in decimal (--timestamp-nanos).
func AppendNanos(dst []byte, ns uint64) []byte {
	return decimal.AppendUint(dst, ns)
}

// timeDigitPairs holds "00" to "99" back to back: two digits per lookup.
const timeDigitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendFast prints YYYY-MM-DD?HH:MM:SS. Consecutive rows mostly share a
// day, so the date comes from a one-entry cache and only the time of day
// is computed per call; both halves are assembled in registers and stored
// as two 8-byte words.
func (l *Layout) appendFast(dst []byte, ns uint64) []byte {
	secs := ns / 1e9
	days := secs / secondsPerDay
	sod := uint32(secs - days*secondsPerDay)
	c := l.lastDay.Load()
	if c>>32 != days+1 {
		c = l.cacheDay(days)
	}
	date := spreadNibbles(uint32(c)) // "YYYYMMDD", first digit lowest
	h := sod / 3600
	sod -= h * 3600
	m := sod / 60
	s := sod - m*60
	n := len(dst)
	dst = slices.Grow(dst, 19)[:n+19]
	b := dst[n : n+19]
	binary.LittleEndian.PutUint64(b[0:8], date&0xFFFFFFFF|'-'<<32|(date>>32&0xFFFF)<<40|'-'<<56)
	b[8], b[9], b[10] = byte(date>>48), byte(date>>56), l.sep
	binary.LittleEndian.PutUint64(b[11:19], pairWord(h)|':'<<16|pairWord(m)<<24|':'<<40|pairWord(s)<<48)
	return dst
}

// pairWord returns the two ASCII digits of v (0-99), first digit lowest.
func pairWord(v uint32) uint64 {
	return uint64(timeDigitPairs[2*v]) | uint64(timeDigitPairs[2*v+1])<<8
}

// spreadNibbles turns eight digits packed as nibbles, most significant
// first, into their ASCII bytes, first digit in the lowest byte: each step
// halves the width of the groups and doubles their spacing.
func spreadNibbles(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	return bits.ReverseBytes64(x) | 0x3030303030303030
}

// cacheDay computes the date digits of day number days and caches them.
// The cache word holds days+1 in its high half (0 means empty) and the
// eight digits YYYYMMDD as nibbles, most significant first, in its low
// half, so that one atomic load both checks and fetches it.
func (l *Layout) cacheDay(days uint64) uint64 {
	y, m, d := civilFromDaysFast(uint32(days))
	v := (y/1000)<<28 | (y/100%10)<<24 | (y/10%10)<<20 | (y%10)<<16 |
		(m/10)<<12 | (m%10)<<8 | (d/10)<<4 | d%10
	c := (days+1)<<32 | uint64(v)
	l.lastDay.Store(c)
	return c
}

// monthNames and weekdayNames are chrono's English names; the
// abbreviations are their first three letters.
var (
	monthNames = [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
	weekdayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// appendItem prints one item of a layout.
func appendItem(dst []byte, it *timeItem, c *calendar) []byte {
	switch it.op {
	case opLit, opSpace:
		return append(dst, it.text...)
	case opMonthAbbr:
		return append(dst, monthNames[c.month-1][:3]...)
	case opMonthName:
		return append(dst, monthNames[c.month-1]...)
	case opWdayAbbr:
		return append(dst, weekdayNames[c.wday][:3]...)
	case opWdayName:
		return append(dst, weekdayNames[c.wday]...)
	case opAmPmLower:
		return append(dst, "ampm"[c.hour/12*2:][:2]...)
	case opAmPmUpper:
		return append(dst, "AMPM"[c.hour/12*2:][:2]...)
	case opFrac:
		return appendAutoFrac(dst, c.nano)
	case opFrac3, opFrac6, opFrac9:
		return appendFrac(append(dst, '.'), c.nano, fracDigits(it.op))
	case opFrac3NoDot, opFrac6NoDot, opFrac9NoDot:
		return appendFrac(dst, c.nano, fracDigits(it.op))
	case opZoneName:
		return append(dst, "UTC"...)
	case opOffset, opOffsetAny:
		return append(dst, "+0000"...)
	case opOffsetColon:
		return append(dst, "+00:00"...)
	case opOffset2:
		return append(dst, "+00:00:00"...)
	case opOffset3:
		return append(dst, "+00"...)
	case opRFC3339:
		return appendRFC3339(dst, c)
	}
	return appendPadded(dst, numValue(it.op, c), numWidth(it.op), it.pad)
}

// numValue returns the number a numeric op prints.
func numValue(op timeOp, c *calendar) uint64 {
	var v int64
	switch op {
	case opYear:
		v = c.year
	case opCentury:
		v = c.year / 100
	case opYear2:
		v = c.year % 100
	case opISOYear:
		v, _ = isoWeekOf(c.year, c.yday, c.wday)
	case opISOYear2:
		v, _ = isoWeekOf(c.year, c.yday, c.wday)
		v %= 100
	case opISOWeek:
		_, w := isoWeekOf(c.year, c.yday, c.wday)
		v = int64(w)
	case opMonth:
		v = int64(c.month)
	case opDay:
		v = int64(c.day)
	case opYday:
		v = int64(c.yday)
	case opWdaySun0:
		v = int64(c.wday)
	case opWdayMon1:
		v = int64((c.wday+6)%7 + 1)
	case opWeekSun:
		v = int64(weekFromSunday(c.yday, c.wday))
	case opWeekMon:
		v = int64(weekFromMonday(c.yday, c.wday))
	case opHour:
		v = int64(c.hour)
	case opHour12:
		v = int64((c.hour+11)%12 + 1)
	case opMinute:
		v = int64(c.min)
	case opSecond:
		v = int64(c.sec)
	case opNanoDigits:
		v = int64(c.nano)
	case opEpoch:
		v = c.epoch
	}
	return uint64(v)
}

// appendPadded appends v in decimal, padded on the left with pad to width
// digits unless pad is padNone.
func appendPadded(dst []byte, v uint64, width int, pad byte) []byte {
	if v < 100 && width == 2 && pad == padZero { // most fields
		return append(dst, timeDigitPairs[2*v], timeDigitPairs[2*v+1])
	}
	var buf [24]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for pad != padNone && len(buf)-i < width {
		i--
		buf[i] = pad
	}
	return append(dst, buf[i:]...)
}

// fracDigits returns the number of digits of a fixed-width fraction op.
func fracDigits(op timeOp) int {
	switch op {
	case opFrac3, opFrac3NoDot:
		return 3
	case opFrac6, opFrac6NoDot:
		return 6
	}
	return 9
}

// appendFrac appends the first digits digits of the fraction nano,
// truncating (chrono does not round).
func appendFrac(dst []byte, nano, digits int) []byte {
	v := nano
	for k := digits; k < 9; k++ {
		v /= 10
	}
	return appendPadded(dst, uint64(v), digits, padZero)
}

// appendAutoFrac prints chrono's %.f: nothing for a whole second, else a
// dot and the fewest of 3, 6 or 9 digits that hold the fraction exactly.
func appendAutoFrac(dst []byte, nano int) []byte {
	switch {
	case nano == 0:
		return dst
	case nano%1e6 == 0:
		return appendFrac(append(dst, '.'), nano, 3)
	case nano%1e3 == 0:
		return appendFrac(append(dst, '.'), nano, 6)
	}
	return appendFrac(append(dst, '.'), nano, 9)
}

// appendRFC3339 prints chrono's %+: %Y-%m-%dT%H:%M:%S%.f+00:00.
func appendRFC3339(dst []byte, c *calendar) []byte {
	dst = appendPadded(dst, uint64(c.year), 4, padZero)
	dst = appendPadded(append(dst, '-'), uint64(c.month), 2, padZero)
	dst = appendPadded(append(dst, '-'), uint64(c.day), 2, padZero)
	dst = appendPadded(append(dst, 'T'), uint64(c.hour), 2, padZero)
	dst = appendPadded(append(dst, ':'), uint64(c.min), 2, padZero)
	dst = appendPadded(append(dst, ':'), uint64(c.sec), 2, padZero)
	dst = appendAutoFrac(dst, c.nano)
	return append(dst, "+00:00"...)
}
