package timefmt

import (
	"fmt"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// DefaultLayout is how read prints timestamps unless told otherwise:
// sonnerie's default, which drops the fraction of a second.
const DefaultLayout = "%F %T"

// Layout is a compiled strftime pattern in chrono's dialect (sonnerie
// used chrono), for printing timestamps (AppendTime) and parsing them
// (ParseTime). Compile once with ParseLayout, then use it from any
// number of goroutines.
type Layout struct {
	src   string
	items []timeItem

	// The fast path for "%F %T" and its kin (see appendFast): set when items
	// begins with year-month-day, one separator byte and hour:minute:second,
	// all zero-padded. rest holds the items after those eleven; restFrac
	// is set when they print only text and the fraction of a second (as in
	// "%FT%T%.fZ"), which needs no calendar. parseFast is set when rest is
	// empty or one %.f, %.3f, %.6f or %.9f (see ParseTime).
	fast      bool
	sep       byte
	rest      []timeItem
	restFrac  bool
	parseFast bool

	// lastDay caches the date digits of the last day the fast path printed
	// (see cacheDay). Atomic so that a shared layout stays race-free.
	lastDay atomic.Uint64
}

// timeOp is one compiled strftime item.
type timeOp uint8

// The items. Numeric ones print a number padded to a width and parse one
// of up to that many digits; the others are names, fractions and offsets.
const (
	opLit   timeOp = iota // literal text, matched exactly
	opSpace               // whitespace: matches any run of it, even empty

	// numeric
	opYear       // %Y
	opCentury    // %C
	opYear2      // %y
	opISOYear    // %G
	opISOYear2   // %g
	opMonth      // %m
	opDay        // %d, %e
	opYday       // %j
	opWdaySun0   // %w
	opWdayMon1   // %u
	opWeekSun    // %U
	opWeekMon    // %W
	opISOWeek    // %V
	opHour       // %H, %k
	opHour12     // %I, %l
	opMinute     // %M
	opSecond     // %S
	opNanoDigits // %f
	opEpoch      // %s

	// fixed
	opMonthAbbr   // %b, %h
	opMonthName   // %B
	opWdayAbbr    // %a
	opWdayName    // %A
	opAmPmLower   // %P
	opAmPmUpper   // %p
	opFrac        // %.f
	opFrac3       // %.3f
	opFrac6       // %.6f
	opFrac9       // %.9f
	opFrac3NoDot  // %3f
	opFrac6NoDot  // %6f
	opFrac9NoDot  // %9f
	opZoneName    // %Z
	opOffset      // %z
	opOffsetColon // %:z
	opOffset2     // %::z
	opOffset3     // %:::z
	opOffsetAny   // %#z
	opRFC3339     // %+
)

// isNumeric reports whether op is a number that padding modifiers apply to.
func (op timeOp) isNumeric() bool { return op >= opYear && op <= opEpoch }

// Pads of numeric items: zero, space, or none (chrono's %0x, %_x, %-x).
const (
	padNone  byte = 0
	padZero  byte = '0'
	padSpace byte = ' '
)

// timeItem is one step of a layout. pad applies to numeric ops; text holds
// the text of opLit and opSpace.
type timeItem struct {
	op   timeOp
	pad  byte
	text string
}

// numWidth returns the printed width of a numeric op, which is also the
// most digits that parsing takes (so "%Y%m%d" reads "20200104"). %s has no
// limit.
func numWidth(op timeOp) int {
	switch op {
	case opYear, opISOYear:
		return 4
	case opYday:
		return 3
	case opWdaySun0, opWdayMon1, opEpoch:
		return 1
	case opNanoDigits:
		return 9
	}
	return 2
}

// specItems maps the strftime letters to their items. Composite
// specifiers expand here, once, so that printing and parsing only ever see
// simple items.
func specItems(c byte) []timeItem {
	switch c {
	case 'F':
		return []timeItem{num(opYear), lit("-"), num(opMonth), lit("-"), num(opDay)}
	case 'T', 'X':
		return []timeItem{num(opHour), lit(":"), num(opMinute), lit(":"), num(opSecond)}
	case 'D', 'x':
		return []timeItem{num(opMonth), lit("/"), num(opDay), lit("/"), num(opYear2)}
	case 'R':
		return []timeItem{num(opHour), lit(":"), num(opMinute)}
	case 'r':
		return []timeItem{num(opHour12), lit(":"), num(opMinute), lit(":"), num(opSecond), space(" "), fixed(opAmPmUpper)}
	case 'c':
		return []timeItem{fixed(opWdayAbbr), space(" "), fixed(opMonthAbbr), space(" "), spaced(opDay), space(" "),
			num(opHour), lit(":"), num(opMinute), lit(":"), num(opSecond), space(" "), num(opYear)}
	case 'v':
		return []timeItem{spaced(opDay), lit("-"), fixed(opMonthAbbr), lit("-"), num(opYear)}
	case 'e':
		return []timeItem{spaced(opDay)}
	case 'k':
		return []timeItem{spaced(opHour)}
	case 'l':
		return []timeItem{spaced(opHour12)}
	case 's':
		return []timeItem{{op: opEpoch, pad: padNone}}
	case 't':
		return []timeItem{space("\t")}
	case 'n':
		return []timeItem{space("\n")}
	case '%':
		return []timeItem{lit("%")}
	}
	if op := simpleSpecs[c]; op != opLit {
		if op.isNumeric() {
			return []timeItem{num(op)}
		}
		return []timeItem{fixed(op)}
	}
	return nil
}

// simpleSpecs maps the letters that are one item with the default padding.
// A fixed-size array literal: static data, nothing built at init time.
var simpleSpecs = [256]timeOp{
	'Y': opYear, 'C': opCentury, 'y': opYear2, 'G': opISOYear, 'g': opISOYear2,
	'm': opMonth, 'd': opDay, 'j': opYday, 'w': opWdaySun0, 'u': opWdayMon1,
	'U': opWeekSun, 'W': opWeekMon, 'V': opISOWeek, 'H': opHour, 'I': opHour12,
	'M': opMinute, 'S': opSecond, 'f': opNanoDigits,
	'b': opMonthAbbr, 'h': opMonthAbbr, 'B': opMonthName, 'a': opWdayAbbr,
	'A': opWdayName, 'P': opAmPmLower, 'p': opAmPmUpper, 'Z': opZoneName,
	'z': opOffset, '+': opRFC3339,
}

// Item constructors: a zero-padded or space-padded number, a name or other
// fixed item, literal text, whitespace.
func num(op timeOp) timeItem    { return timeItem{op: op, pad: padZero} }
func spaced(op timeOp) timeItem { return timeItem{op: op, pad: padSpace} }
func fixed(op timeOp) timeItem  { return timeItem{op: op} }
func lit(s string) timeItem     { return timeItem{op: opLit, text: s} }
func space(s string) timeItem   { return timeItem{op: opSpace, text: s} }

// layoutError reports a bad pattern s.
func layoutError(s string, format string, args ...any) error {
	return fmt.Errorf("timestamp format %q: %s", s, fmt.Sprintf(format, args...))
}

// ParseLayout compiles a strftime pattern. It fails on a specifier
// chrono does not know (chrono would have failed on first use instead),
// on a lone % at the end, and on a padding modifier (%-x, %_x, %0x) before
// anything but a single number.
//
// The specifiers are chrono's: %Y %C %y %m %b %h %B %d %e %a %A %w %u %U
// %W %G %g %V %j %D %x %F %v %H %k %I %l %P %p %M %S %f %.f %.3f %.6f
// %.9f %3f %6f %9f %R %T %X %r %c %s %z %:z %::z %:::z %#z %Z %+ %t %n %%.
// Printing is always in UTC (%z is +0000, %Z is UTC). Parsing follows
// chrono: numbers may be unpadded or space-padded, whitespace in the
// pattern matches any whitespace, names are case-insensitive, %f reads its
// digits as a count of nanoseconds while %.f reads a decimal fraction,
// second 60 is a leap second (the next minute's first second), and %z and
// its kin shift the result to UTC.
func ParseLayout(s string) (*Layout, error) {
	items, err := compileLayout(s)
	if err != nil {
		return nil, err
	}
	l := &Layout{src: s, items: items}
	l.detectFast()
	return l, nil
}

// String returns the pattern the layout was compiled from.
func (l *Layout) String() string { return l.src }

// compileLayout turns a pattern into items: runs of literal text, runs of
// whitespace, and the expansions of specifiers.
func compileLayout(s string) ([]timeItem, error) {
	var items []timeItem
	for i := 0; i < len(s); {
		if s[i] != '%' {
			n := textRun(s[i:])
			items = append(items, textItem(s[i:i+n]))
			i += n
			continue
		}
		spec, n, err := compileSpec(s, i)
		if err != nil {
			return nil, err
		}
		items = append(items, spec...)
		i += n
	}
	return items, nil
}

// textRun returns the length of the run of literal text at the start of s:
// up to the next % or the next change between whitespace and other text.
func textRun(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	white := unicode.IsSpace(r)
	for n < len(s) && s[n] != '%' {
		r, size := utf8.DecodeRuneInString(s[n:])
		if unicode.IsSpace(r) != white {
			break
		}
		n += size
	}
	return n
}

// textItem makes the item of a text run: whitespace in a pattern matches
// any whitespace when parsing, as in chrono.
func textItem(t string) timeItem {
	r, _ := utf8.DecodeRuneInString(t)
	if unicode.IsSpace(r) {
		return space(t)
	}
	return lit(t)
}

// compileSpec compiles the specifier at s[i] == '%' and returns its items
// and its length.
func compileSpec(s string, i int) ([]timeItem, int, error) {
	j := i + 1
	pad, hasPad := byte(0), false
	if j < len(s) {
		switch s[j] {
		case '-':
			pad, hasPad = padNone, true
		case '_':
			pad, hasPad = padSpace, true
		case '0':
			pad, hasPad = padZero, true
		}
	}
	if hasPad {
		j++
	}
	if j >= len(s) {
		return nil, 0, layoutError(s, "ends with an incomplete specifier %q", s[i:])
	}
	items, n := specAt(s[j:])
	if items == nil {
		return nil, 0, layoutError(s, "unknown specifier %q", s[i:j+unknownSpecLen(s[j:])])
	}
	spec := s[i : j+n]
	if hasPad {
		if len(items) != 1 || !items[0].op.isNumeric() {
			return nil, 0, layoutError(s, "padding modifier in %q: only numbers can be padded", spec)
		}
		items = []timeItem{{op: items[0].op, pad: pad}}
	}
	return items, j + n - i, nil
}

// specAt compiles the specifier whose letter starts t (just after % and any
// padding modifier) and returns its items and how many bytes it used; nil
// items for an unknown one.
func specAt(t string) ([]timeItem, int) {
	switch {
	case strings.HasPrefix(t, ".f"):
		return []timeItem{fixed(opFrac)}, 2
	case strings.HasPrefix(t, ".3f"):
		return []timeItem{fixed(opFrac3)}, 3
	case strings.HasPrefix(t, ".6f"):
		return []timeItem{fixed(opFrac6)}, 3
	case strings.HasPrefix(t, ".9f"):
		return []timeItem{fixed(opFrac9)}, 3
	case strings.HasPrefix(t, "3f"):
		return []timeItem{fixed(opFrac3NoDot)}, 2
	case strings.HasPrefix(t, "6f"):
		return []timeItem{fixed(opFrac6NoDot)}, 2
	case strings.HasPrefix(t, "9f"):
		return []timeItem{fixed(opFrac9NoDot)}, 2
	case strings.HasPrefix(t, ":::z"):
		return []timeItem{fixed(opOffset3)}, 4
	case strings.HasPrefix(t, "::z"):
		return []timeItem{fixed(opOffset2)}, 3
	case strings.HasPrefix(t, ":z"):
		return []timeItem{fixed(opOffsetColon)}, 2
	case strings.HasPrefix(t, "#z"):
		return []timeItem{fixed(opOffsetAny)}, 2
	}
	return specItems(t[0]), 1
}

// unknownSpecLen returns how much of t to show as an unknown specifier:
// one character, or two after a prefix such as . or :.
func unknownSpecLen(t string) int {
	n := 0
	for k := 0; k < 2 && n < len(t); k++ {
		_, size := utf8.DecodeRuneInString(t[n:])
		n += size
		if k == 0 && !strings.ContainsRune(".:#0123456789", rune(t[0])) {
			break
		}
	}
	return n
}

// detectFast sets the fast path up when the layout starts with
// %Y-%m-%d?%H:%M:%S, zero-padded, with any one-byte separator '?'.
func (l *Layout) detectFast() {
	it := l.items
	if len(it) < 11 {
		return
	}
	want := [11]timeItem{num(opYear), lit("-"), num(opMonth), lit("-"), num(opDay), {},
		num(opHour), lit(":"), num(opMinute), lit(":"), num(opSecond)}
	for k := range want {
		if k == 5 {
			if len(it[k].text) != 1 || (it[k].op != opLit && it[k].op != opSpace) {
				return
			}
			continue
		}
		if it[k] != want[k] {
			return
		}
	}
	l.fast, l.sep, l.rest = true, it[5].text[0], it[11:]
	l.restFrac = !needsCalendar(l.rest)
	switch {
	case len(l.rest) == 0:
		l.parseFast = true
	case len(l.rest) == 1:
		op := l.rest[0].op
		l.parseFast = op == opFrac || op == opFrac3 || op == opFrac6 || op == opFrac9
	}
}

// needsCalendar reports whether printing items takes more than the
// fraction of a second.
func needsCalendar(items []timeItem) bool {
	for _, it := range items {
		switch it.op {
		case opLit, opSpace, opNanoDigits, opFrac, opFrac3, opFrac6, opFrac9,
			opFrac3NoDot, opFrac6NoDot, opFrac9NoDot, opZoneName,
			opOffset, opOffsetColon, opOffset2, opOffset3, opOffsetAny:
		default:
			return true
		}
	}
	return false
}
