package tsdb

import (
	"bytes"
	"slices"

	"github.com/chime-tsdb/chime/format"
)

// Selector chooses rows by key and time. The zero value selects every row.
//
// Filters are key patterns: '%' matches any run of bytes (including none),
// every other byte matches itself; a pattern without '%' selects exactly
// that key, and the empty pattern selects nothing. Several filters select
// their union. Key bounds select [AfterKey, BeforeKey), time bounds
// [AfterTime, BeforeTime); a bound applies only when its Has flag is set.
type Selector struct {
	Filters [][]byte
	format.Bounds
}

// keyRange is [lo, hi) in byte order; a nil hi is unbounded.
type keyRange struct{ lo, hi []byte }

// ranges returns the sorted, disjoint key ranges that can hold selected
// keys: the prefix of each filter before its first '%', cut to the key
// bounds. Scanning them with an index seek makes `fib%` cheap however large
// the database.
func (s *Selector) ranges() []keyRange {
	var rs []keyRange
	if s.Filters == nil {
		rs = []keyRange{{lo: []byte{}}}
	}
	for _, f := range s.Filters {
		if len(f) == 0 {
			continue
		}
		prefix, _, wild := bytes.Cut(f, []byte("%"))
		if !wild {
			rs = append(rs, keyRange{f, append(slices.Clip(f), 0)})
		} else {
			rs = append(rs, keyRange{prefix, prefixEnd(prefix)})
		}
	}
	return mergeRanges(s.clip(rs))
}

// clip cuts ranges to the key bounds, dropping empty ones.
func (s *Selector) clip(rs []keyRange) []keyRange {
	out := rs[:0]
	for _, r := range rs {
		if s.HasAfterKey && bytes.Compare(r.lo, s.AfterKey) < 0 {
			r.lo = s.AfterKey
		}
		if s.HasBeforeKey && (r.hi == nil || bytes.Compare(r.hi, s.BeforeKey) > 0) {
			r.hi = s.BeforeKey
		}
		if r.hi == nil || bytes.Compare(r.lo, r.hi) < 0 {
			out = append(out, r)
		}
	}
	return out
}

func mergeRanges(rs []keyRange) []keyRange {
	slices.SortFunc(rs, func(a, b keyRange) int { return bytes.Compare(a.lo, b.lo) })
	var out []keyRange
	for _, r := range rs {
		if n := len(out); n > 0 && (out[n-1].hi == nil || bytes.Compare(r.lo, out[n-1].hi) <= 0) {
			if out[n-1].hi != nil && (r.hi == nil || bytes.Compare(r.hi, out[n-1].hi) > 0) {
				out[n-1].hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// prefixEnd is the smallest key above every key with the prefix p, or nil
// when there is none (p is all 0xff bytes).
func prefixEnd(p []byte) []byte {
	end := slices.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// pattern is a compiled key filter.
type pattern struct {
	exact       bool
	first, last []byte
	mids        [][]byte
}

func compilePattern(f []byte) pattern {
	first, rest, wild := bytes.Cut(f, []byte("%"))
	if !wild {
		return pattern{exact: true, first: f}
	}
	parts := bytes.Split(rest, []byte("%"))
	return pattern{first: first, mids: parts[:len(parts)-1], last: parts[len(parts)-1]}
}

func (p *pattern) match(key []byte) bool {
	if p.exact {
		return bytes.Equal(p.first, key)
	}
	if !bytes.HasPrefix(key, p.first) {
		return false
	}
	key = key[len(p.first):]
	for _, m := range p.mids {
		i := bytes.Index(key, m)
		if i < 0 {
			return false
		}
		key = key[i+len(m):]
	}
	return bytes.HasSuffix(key, p.last)
}
