package tsdb

import (
	"errors"
	"os"

	"github.com/chime-tsdb/chime/format/segment"
)

// spool is the temporary file where a large transaction's index pages wait
// until the file is finished (segment.Options.Spool). It lives in the
// system's temporary directory, not in the store: it is scratch space,
// whatever the store is.
type spool struct{ f *os.File }

func (s *spool) open() (segment.Spool, error) {
	f, err := os.CreateTemp("", "chime-index-*")
	if err != nil {
		return nil, err
	}
	s.f = f
	return f, nil
}

// close removes the file.
func (s *spool) close() error {
	if s.f == nil {
		return nil
	}
	err := errors.Join(s.f.Close(), os.Remove(s.f.Name()))
	s.f = nil
	return err
}
