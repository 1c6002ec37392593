package agg

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// durationUnits are the units of ParseDuration, in nanoseconds. Longer
// names come first where one is a prefix of another (ms before m).
var durationUnits = []struct {
	name string
	ns   uint64
}{
	{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9},
	{"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {"w", 7 * 86400e9},
}

var errDuration = errors.New("want a positive whole number and a unit (ns us ms s m h d w), like 10s, 5m, 1h30m, 1d or 1w")

// ParseDuration parses a step or offset such as 10s, 5m, 17m, 1h, 1h30m,
// 1d (86,400 s: days are UTC days, without leap seconds) or 1w (7 d) into
// nanoseconds. Each term is a whole number and a unit; terms add up. The
// total must be positive and fit in 64 bits; 0s, a sign, a fraction or a
// missing unit is an error.
func ParseDuration(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("duration %q: %w", s, errDuration)
	}
	var total uint64
	for rest := s; rest != ""; {
		n, unit, tail, err := durationTerm(rest)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		hi, v := bits.Mul64(n, unit)
		sum, carry := bits.Add64(total, v, 0)
		if hi != 0 || carry != 0 {
			return 0, fmt.Errorf("duration %q: longer than %d ns", s, uint64(math.MaxUint64))
		}
		total, rest = sum, tail
	}
	if total == 0 {
		return 0, fmt.Errorf("duration %q: must be positive", s)
	}
	return total, nil
}

// durationTerm reads one number and unit from the start of s.
func durationTerm(s string) (n, unit uint64, rest string, err error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, 0, "", fmt.Errorf("number too large")
		}
		n = n*10 + d
		i++
	}
	if i == 0 {
		return 0, 0, "", errDuration
	}
	for _, u := range durationUnits {
		if len(s)-i >= len(u.name) && s[i:i+len(u.name)] == u.name {
			return n, u.ns, s[i+len(u.name):], nil
		}
	}
	return 0, 0, "", errDuration
}
