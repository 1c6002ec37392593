package timefmt

import (
	"errors"
	"fmt"
	"math"
)

// ParseInput parses a timestamp of CSV, JSON or Parquet input given
// without a --timestamp-format: integer nanoseconds since the epoch (as
// chime's ts column), or a date, or a date and time as ParseBound reads
// them, which includes RFC 3339 (chime's time column). A date alone is
// midnight UTC.
func ParseInput(b []byte) (uint64, error) {
	if n, ok, err := parseNanos(b); ok {
		return n, err
	}
	ns, err := parseBound(string(b))
	if err != nil {
		return 0, fmt.Errorf("timestamp %q: %v (want integer nanoseconds, or RFC 3339 such as 2020-01-01T00:00:00Z, or give --timestamp-format)", b, err)
	}
	return ns, nil
}

var errNanosRange = errors.New("out of range (at most 18446744073709551615 nanoseconds)")

// parseNanos reads b when it is all digits (ok), with an optional +.
func parseNanos(b []byte) (uint64, bool, error) {
	s := b
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false, nil
	}
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false, nil
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, true, fmt.Errorf("timestamp %q: %w", b, errNanosRange)
		}
		n = n*10 + d
	}
	return n, true, nil
}
