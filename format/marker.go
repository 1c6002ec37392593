package format

import "encoding/binary"

// Marker is one delete-marker record: it hides the rows of older files whose
// key matches Filter (a % pattern) and lies in [AfterKey, BeforeKey) and
// whose timestamp lies in [AfterTime, BeforeTime). A missing part (Has*
// false) does not restrict.
type Marker struct {
	Filter, AfterKey, BeforeKey          []byte
	AfterTime, BeforeTime                uint64
	HasFilter, HasAfterKey, HasBeforeKey bool
	HasAfterTime, HasBeforeTime          bool
}

const (
	markerFilter = 1 << iota
	markerAfterKey
	markerBeforeKey
	markerAfterTime
	markerBeforeTime
	markerAll = 1<<iota - 1
)

func (m *Marker) flags() byte {
	var f byte
	for i, has := range [...]bool{m.HasFilter, m.HasAfterKey, m.HasBeforeKey, m.HasAfterTime, m.HasBeforeTime} {
		if has {
			f |= 1 << i
		}
	}
	return f
}

func (m *Marker) append(dst []byte) []byte {
	dst = append(dst, m.flags())
	if m.HasFilter {
		dst = appendUvarintBytes(dst, m.Filter)
	}
	if m.HasAfterKey {
		dst = appendUvarintBytes(dst, m.AfterKey)
	}
	if m.HasBeforeKey {
		dst = appendUvarintBytes(dst, m.BeforeKey)
	}
	if m.HasAfterTime {
		dst = binary.AppendUvarint(dst, m.AfterTime)
	}
	if m.HasBeforeTime {
		dst = binary.AppendUvarint(dst, m.BeforeTime)
	}
	return dst
}

func (m *Marker) decode(d *decoder) error {
	f := d.byte()
	if f&^markerAll != 0 {
		d.fail("marker flags %#x", f)
		return d.err
	}
	m.HasFilter, m.HasAfterKey, m.HasBeforeKey = f&markerFilter != 0, f&markerAfterKey != 0, f&markerBeforeKey != 0
	m.HasAfterTime, m.HasBeforeTime = f&markerAfterTime != 0, f&markerBeforeTime != 0
	if m.HasFilter {
		m.Filter = d.bytes(MaxKeyLen)
	}
	if m.HasAfterKey {
		m.AfterKey = d.bytes(MaxKeyLen)
	}
	if m.HasBeforeKey {
		m.BeforeKey = d.bytes(MaxKeyLen)
	}
	if m.HasAfterTime {
		m.AfterTime = d.uvarint()
	}
	if m.HasBeforeTime {
		m.BeforeTime = d.uvarint()
	}
	return d.err
}
