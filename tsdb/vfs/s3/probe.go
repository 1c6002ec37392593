package s3

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/chime-tsdb/chime/internal/s3api"
)

// probeName is the object the probe of conditional writes conflicts on.
const probeName = ".probe"

// probe checks, once per process and server, that the server honours
// conditional writes, with real conflicts: a create of the existing probe
// object with If-None-Match: * must get 412, and so must a write with
// If-Match on a wrong ETag. Old SeaweedFS releases and some gateways
// answer 200 to both, and would let two writers publish one name.
func (s *Store) probe() error {
	p := s.probed
	p.once.Do(func() {
		if err := s.runProbe(); err != nil {
			p.err = fmt.Errorf("probe conditional writes in %s: %w", s.loc, err)
		}
	})
	return p.err
}

// probeState is the outcome of the probe, once it ran.
type probeState struct {
	once sync.Once
	err  error
}

func (s *Store) runProbe() error {
	created, err := s.probePut("*", "")
	if err != nil {
		return err
	}
	if created {
		// Absent before, or the condition ignored: a second create tells.
		if created, err = s.probePut("*", ""); err != nil {
			return err
		}
		if created {
			return s.noConditions("a second create of one name (If-None-Match: *) succeeded")
		}
	}
	replaced, err := s.probePut("", `"00000000000000000000000000000000"`)
	if err != nil {
		return err
	}
	if replaced {
		return s.noConditions("a write with If-Match on a wrong ETag succeeded")
	}
	return nil
}

func (s *Store) noConditions(what string) error {
	return &Error{Op: "probe", Loc: s.loc, Err: ErrNoConditionalWrites,
		Msg: fmt.Sprintf("%v%s: %s; chime needs them to commit safely", ErrNoConditionalWrites, s.at(), what)}
}

// probePut writes the probe object under a condition and reports whether
// the write happened (false: 412).
func (s *Store) probePut(ifNoneMatch, ifMatch string) (bool, error) {
	body := "chime probes conditional writes with this object\n"
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.PutObject(ctx, s3api.PutObjectInput{
		Bucket: s.bucket, Key: s.key(probeName), Body: strings.NewReader(body), Size: int64(len(body)),
		IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
	})
	if err == nil {
		return true, nil
	}
	if e := s.failName("probe", probeName, err); !errors.Is(e, errPrecondition) {
		if status(err) == 501 || code(err) == "NotImplemented" {
			return false, s.noConditions("the server answered NotImplemented")
		}
		return false, e
	}
	return false, nil
}
