package timefmt

import "sync"

// rfc3339Layout prints RFC 3339 in UTC with the fraction of a second only
// when there is one: the fast path of Layout. Built on first use, as
// building tables at init would slow every command.
var rfc3339Layout = sync.OnceValue(func() *Layout {
	l, err := ParseLayout("%FT%T%.fZ")
	if err != nil {
		panic("timefmt: RFC 3339 layout: " + err.Error())
	}
	return l
})

// AppendRFC3339 appends ns (nanoseconds since the epoch) as an RFC 3339
// time in UTC: 2020-01-01T00:00:00Z, with a fraction of 3, 6 or 9 digits
// when the second has one (2020-01-01T00:00:00.500Z). It is the "time" of
// the JSON and CSV outputs.
func AppendRFC3339(dst []byte, ns uint64) []byte {
	return rfc3339Layout().AppendTime(dst, ns)
}
