package chart

import (
	"math"
	"strconv"
	"time"
)

// Tick is a labelled position on an axis: a value, or a time in
// nanoseconds since the epoch.
type Tick struct {
	V     float64
	T     uint64
	Label string
}

// ValueTicks returns at most n (at least 2) ticks over [lo, hi] at
// multiples of 1, 2 or 5 times a power of ten, labelled with as many
// decimals as that step needs.
func ValueTicks(lo, hi float64, n int) []Tick {
	n = max(n, 2)
	step := niceStep((hi - lo) / float64(n))
	for math.Floor(hi/step)-math.Ceil(lo/step)+1 > float64(n) {
		step = niceStep(step * 1.01)
	}
	var ticks []Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+math.Abs(hi)*1e-12 && len(ticks) < n; k++ {
		v := k * step
		if v == 0 {
			v = 0 // no -0
		}
		ticks = append(ticks, Tick{V: v, Label: formatValue(v, step)})
	}
	return ticks
}

// NiceRange widens [lo, hi] to the nearest multiples of a 1, 2 or 5
// times a power of ten step that gives at most n (at least 2) ticks, so
// that both ends of a value axis are labelled, and returns the ticks.
func NiceRange(lo, hi float64, n int) (float64, float64, []Tick) {
	n = max(n, 2)
	step := niceStep((hi - lo) / float64(n))
	for {
		nlo, nhi := math.Floor(lo/step+1e-9)*step, math.Ceil(hi/step-1e-9)*step
		if math.Round((nhi-nlo)/step)+1 <= float64(n) || math.IsInf(nhi-nlo, 0) {
			return nlo, nhi, ValueTicks(nlo, nhi, n)
		}
		step = niceStep(step * 1.01)
	}
}

// niceStep is the smallest of 1, 2 and 5 times a power of ten that is at
// least x.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// formatValue labels a tick v on an axis with the given step: plain
// decimals, or an exponent for very large and very small numbers.
func formatValue(v, step float64) string {
	if v == 0 {
		return "0"
	}
	if a := math.Abs(v); a >= 1e9 || step < 1e-6 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// interval is a spacing of time ticks: a fixed number of nanoseconds, or
// a number of calendar months.
type interval struct {
	ns     uint64
	months int
}

const (
	second = uint64(time.Second)
	minute = 60 * second
	hour   = 60 * minute
	day    = 24 * hour
)

// intervals are the tick spacings, smallest first: a literal, so that
// nothing is built when chime starts.
var intervals = [...]interval{
	{ns: 1}, {ns: 2}, {ns: 5}, {ns: 10}, {ns: 20}, {ns: 50}, {ns: 100}, {ns: 200}, {ns: 500},
	{ns: 1e3}, {ns: 2e3}, {ns: 5e3}, {ns: 1e4}, {ns: 2e4}, {ns: 5e4}, {ns: 1e5}, {ns: 2e5}, {ns: 5e5},
	{ns: 1e6}, {ns: 2e6}, {ns: 5e6}, {ns: 1e7}, {ns: 2e7}, {ns: 5e7}, {ns: 1e8}, {ns: 2e8}, {ns: 5e8},
	{ns: second}, {ns: 2 * second}, {ns: 5 * second}, {ns: 10 * second}, {ns: 15 * second}, {ns: 30 * second},
	{ns: minute}, {ns: 2 * minute}, {ns: 5 * minute}, {ns: 10 * minute}, {ns: 15 * minute}, {ns: 30 * minute},
	{ns: hour}, {ns: 2 * hour}, {ns: 3 * hour}, {ns: 6 * hour}, {ns: 12 * hour},
	{ns: day}, {ns: 2 * day}, {ns: 7 * day}, {ns: 14 * day},
	{months: 1}, {months: 2}, {months: 3}, {months: 6}, {months: 12}, {months: 24}, {months: 60},
	{months: 120}, {months: 240}, {months: 600},
}

// approx is the interval's length in nanoseconds, months taken as 30.44
// days.
func (iv interval) approx() float64 {
	if iv.months > 0 {
		return float64(iv.months) * 30.44 * float64(day)
	}
	return float64(iv.ns)
}

// TimeTicks returns at most n (at least 2) ticks within [from, to) at
// whole multiples of a readable interval in UTC (seconds, minutes, hours,
// days, Mondays, month and year starts), labelled with what changes from
// tick to tick.
func TimeTicks(from, to uint64, n int) []Tick {
	n = max(n, 2)
	if to <= from {
		to = from + 1
	}
	span := float64(to - from)
	for _, iv := range intervals {
		if span/iv.approx() > float64(n) {
			continue
		}
		if ticks := timeTicks(from, to, iv, n); len(ticks) <= n {
			return ticks
		}
	}
	return []Tick{{T: from, Label: timeLabel(from, interval{months: 12})}}
}

// timeTicks lists the ticks of interval iv in [from, to), at most n+1.
func timeTicks(from, to uint64, iv interval, n int) []Tick {
	var ticks []Tick
	for t, ok := firstTick(from, iv); ok && t < to && len(ticks) <= n; t, ok = nextTick(t, iv) {
		ticks = append(ticks, Tick{T: t, Label: timeLabel(t, iv)})
	}
	return ticks
}

// firstTick is the first multiple of iv at or after from.
func firstTick(from uint64, iv interval) (uint64, bool) {
	switch {
	case iv.months > 0:
		t := utc(from)
		m := (t.Year()*12 + int(t.Month()) - 1 + iv.months - 1) / iv.months * iv.months
		start := time.Date(m/12, time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
		if start.Before(t) {
			start = start.AddDate(0, iv.months, 0)
		}
		return uint64(start.UnixNano()), start.Year() < 2262
	case iv.ns%(7*day) == 0:
		const monday = 4 * day // 1970-01-05 was a Monday
		if from < monday {
			return monday, true
		}
		return roundUp(from-monday, iv.ns) + monday, true
	}
	return roundUp(from, iv.ns), true
}

// nextTick is the tick after t.
func nextTick(t uint64, iv interval) (uint64, bool) {
	if iv.months == 0 {
		return t + iv.ns, t <= math.MaxUint64-iv.ns
	}
	next := utc(t).AddDate(0, iv.months, 0)
	return uint64(next.UnixNano()), next.Year() < 2262
}

// roundUp is the first multiple of m at or after x.
func roundUp(x, m uint64) uint64 {
	if r := x % m; r != 0 {
		return x + (m - r)
	}
	return x
}

// timeLabel labels the tick t of interval iv: the smallest unit that
// changes between ticks, and the date on ticks that start a day (the
// year on those that start a year).
func timeLabel(t uint64, iv interval) string {
	tm := utc(t)
	midnight := tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 && tm.Nanosecond() == 0
	switch {
	case iv.months >= 12:
		return tm.Format("2006")
	case iv.months > 0:
		if tm.Month() == time.January {
			return tm.Format("2006")
		}
		return tm.Format("Jan")
	case midnight && tm.YearDay() == 1:
		return tm.Format("2006")
	case midnight:
		return tm.Format("Jan 2")
	case iv.ns >= minute:
		return tm.Format("15:04")
	case iv.ns >= second:
		return tm.Format("15:04:05")
	case iv.ns >= uint64(time.Millisecond):
		return tm.Format("05.000")
	case iv.ns >= uint64(time.Microsecond):
		return tm.Format("05.000000")
	}
	return tm.Format("05.000000000")
}

// Caption describes the time range [from, to) in full, in UTC, for the
// line under a time axis: to the second, or to the nanosecond for ranges
// under ten seconds.
func Caption(from, to uint64) string {
	layout := "2006-01-02 15:04:05"
	if to-from < 10*second {
		layout = "2006-01-02 15:04:05.999999999"
	}
	return "UTC, " + utc(from).Format(layout) + " to " + utc(to).Format(layout)
}

// utc is the time t in UTC; times past 2262 (beyond time.Time's
// nanoseconds) are clamped.
func utc(t uint64) time.Time {
	return time.Unix(0, int64(min(t, math.MaxInt64))).UTC()
}
