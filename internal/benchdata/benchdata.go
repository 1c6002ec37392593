// Package benchdata generates the deterministic data set behind the
// performance reference figures (README, Performance): Keys keys sensor.00000,
// sensor.00001, ... with Samples samples each, one sample per second from
// 2020-01-01 (StartNanos), written as `add` input lines `KEY NANOS VALUE\n`
// sorted by key then time.
//
// Values are per-key random walks. Format U: start uniform in
// [1000, 100000), each step adds a uniform integer in [-50, 50], clamped at
// 0. Format F: start uniform in [-100, 100), each step adds a Gaussian with
// sigma 1, printed as the shortest decimal that parses back to the same
// float64, without an exponent.
//
// Every key has its own random stream (math/rand/v2 PCG, seeded from the
// seed and the key's index), so a time slice of the data set is exactly the
// rows of the whole data set in that time range, whatever the slicing.
package benchdata

import (
	"errors"
	"fmt"
	"strconv"
)

// Version identifies the generator's output. Bump it whenever the bytes
// written for some Config change, so that cached data sets are regenerated;
// TestWrite_Golden pins the output of the current version.
const Version = 1

// Defaults and fixed parameters of the reference data set.
const (
	StartNanos     uint64 = 1577836800000000000 // 2020-01-01T00:00:00Z
	StepNanos      uint64 = 1000000000          // one sample per second
	DefaultKeys           = 1000
	DefaultSamples        = 10000
	DefaultSeed    uint64 = 0x6368696d652d3031 // "chime-01"
	KeyPrefix             = "sensor."
)

// Format selects the value column of the generated rows.
type Format byte

// The two formats of the reference data set.
const (
	U Format = 'u'
	F Format = 'F'
)

// ParseFormat returns the Format named by s ("u" or "F").
func ParseFormat(s string) (Format, error) {
	switch s {
	case "u":
		return U, nil
	case "F":
		return F, nil
	}
	return 0, fmt.Errorf("unknown format %q (want u or F)", s)
}

// String returns the format code as chime's add -f expects it.
func (f Format) String() string { return string(rune(f)) }

// Config describes one generated data set or one time slice of it. The zero
// value is the whole reference data set in format U; zero fields take the
// defaults (so a zero Seed means DefaultSeed).
type Config struct {
	Format  Format // U (the default) or F
	Keys    int    // number of keys; 0 means DefaultKeys
	Samples int    // samples per key; 0 means DefaultSamples
	Seed    uint64 // 0 means DefaultSeed

	// Slice and Slices select time slice Slice (0-based) of Slices equal
	// time slices: samples [Slice*Samples/Slices, (Slice+1)*Samples/Slices)
	// of every key. Slices 0 or 1 means the whole data set.
	Slice, Slices int
}

func (c Config) withDefaults() Config {
	if c.Format == 0 {
		c.Format = U
	}
	if c.Keys == 0 {
		c.Keys = DefaultKeys
	}
	if c.Samples == 0 {
		c.Samples = DefaultSamples
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Slices == 0 {
		c.Slices = 1
	}
	return c
}

// Validate reports whether c describes a data set that can be generated.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Format != U && c.Format != F:
		return fmt.Errorf("unknown format %q (want u or F)", rune(c.Format))
	case c.Keys < 0:
		return errors.New("negative key count")
	case c.Samples < 0:
		return errors.New("negative sample count")
	case uint64(c.Samples) > (^uint64(0)-StartNanos)/StepNanos:
		return fmt.Errorf("%d samples overflow the uint64 timestamps", c.Samples)
	case c.Slices < 1:
		return errors.New("slice count must be at least 1")
	case c.Slice < 0 || c.Slice >= c.Slices:
		return fmt.Errorf("slice %d out of range [0, %d)", c.Slice, c.Slices)
	}
	return nil
}

// SampleRange returns the range [lo, hi) of sample indexes that c's slice
// holds for every key.
func (c Config) SampleRange() (lo, hi int) {
	c = c.withDefaults()
	return c.Slice * c.Samples / c.Slices, (c.Slice + 1) * c.Samples / c.Slices
}

// Rows returns the number of rows that c generates.
func (c Config) Rows() int64 {
	lo, hi := c.SampleRange()
	return int64(c.withDefaults().Keys) * int64(hi-lo)
}

// Key returns the name of key k of a data set with n keys: KeyPrefix and k
// zero-padded to at least five digits, wide enough for n-1 so that byte
// order is numeric order.
func Key(k, n int) string {
	return string(appendKey(nil, k, n))
}

func appendKey(dst []byte, k, n int) []byte {
	width := max(5, len(strconv.Itoa(n-1)))
	dst = append(dst, KeyPrefix...)
	digits := strconv.Itoa(k)
	for range width - len(digits) {
		dst = append(dst, '0')
	}
	return append(dst, digits...)
}

// Timestamp returns the timestamp of sample s in nanoseconds.
func Timestamp(s int) uint64 { return StartNanos + uint64(s)*StepNanos }
