package segment

import (
	"encoding/binary"

	"github.com/chime-tsdb/chime/format"
	"github.com/chime-tsdb/chime/format/internal/wire"
)

// Delete markers in the meta section (see doc.go).

const (
	markerFilter = 1 << iota
	markerAfterKey
	markerBeforeKey
	markerAfterTime
	markerBeforeTime
	markerAll = 1<<iota - 1
)

func markerFlags(m *format.Marker) byte {
	var f byte
	for i, has := range [...]bool{m.HasFilter, m.HasAfterKey, m.HasBeforeKey, m.HasAfterTime, m.HasBeforeTime} {
		if has {
			f |= 1 << i
		}
	}
	return f
}

func appendMarker(dst []byte, m *format.Marker) []byte {
	dst = append(dst, markerFlags(m))
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

func decodeMarker(d *wire.Reader, m *format.Marker) error {
	f := d.Byte()
	if f&^markerAll != 0 {
		d.Fail("marker flags %#x", f)
		return d.Err
	}
	m.HasFilter, m.HasAfterKey, m.HasBeforeKey = f&markerFilter != 0, f&markerAfterKey != 0, f&markerBeforeKey != 0
	m.HasAfterTime, m.HasBeforeTime = f&markerAfterTime != 0, f&markerBeforeTime != 0
	if m.HasFilter {
		m.Filter = d.Bytes(format.MaxKeyLen)
	}
	if m.HasAfterKey {
		m.AfterKey = d.Bytes(format.MaxKeyLen)
	}
	if m.HasBeforeKey {
		m.BeforeKey = d.Bytes(format.MaxKeyLen)
	}
	if m.HasAfterTime {
		m.AfterTime = d.Uvarint()
	}
	if m.HasBeforeTime {
		m.BeforeTime = d.Uvarint()
	}
	return d.Err
}
