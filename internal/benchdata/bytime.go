package benchdata

import (
	"io"
	"strconv"
)

// WriteByTime writes the rows that c selects ordered by time, then by
// key: exactly the rows of Write, as a log that interleaves every key
// would hold them (the input of add --unsorted's benchmark). It keeps one
// value stream per key, so it runs on one core.
func WriteByTime(w io.Writer, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c = c.withDefaults()
	lo, hi := c.SampleRange()
	walks := make([]*walk, c.Keys)
	keys := make([][]byte, c.Keys)
	for k := range walks {
		walks[k] = newWalk(c, k)
		keys[k] = appendKey(nil, k, c.Keys)
	}
	buf := make([]byte, 0, jobBytes+4096)
	for s := range hi {
		for k, wk := range walks {
			if s > 0 {
				wk.step()
			}
			if s < lo {
				continue
			}
			buf = append(buf, keys[k]...)
			buf = append(buf, ' ')
			buf = strconv.AppendUint(buf, Timestamp(s), 10)
			buf = append(buf, ' ')
			buf = wk.appendValue(buf)
			buf = append(buf, '\n')
			if len(buf) >= jobBytes {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err := w.Write(buf)
	return err
}
