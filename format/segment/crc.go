package segment

import (
	"encoding/binary"
	"fmt"
)

// checkCRC verifies that buf ends with the CRC-32C of what precedes it and
// returns what precedes it.
func checkCRC(buf []byte, base int64, what string) ([]byte, error) {
	if len(buf) < 4 {
		return nil, fmt.Errorf("%w: %s at offset %d: %d bytes, too short", ErrCorrupt, what, base, len(buf))
	}
	body := buf[:len(buf)-4]
	if got, want := crc(body), binary.LittleEndian.Uint32(buf[len(body):]); got != want {
		return nil, fmt.Errorf("%w: %s at offset %d: checksum mismatch", ErrCorrupt, what, base)
	}
	return body, nil
}
