package s3

import (
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
)

// connect makes the S3 client of the standard AWS configuration (see
// internal/s3api: the environment, the shared files, the container and
// instance metadata services), with the store's timeout and attempts.
func (s *Store) connect() error {
	cfg, err := s3api.LoadConfig()
	if err != nil {
		return &Error{Op: "configure", Loc: s.loc, Msg: "the AWS configuration: " + err.Error(), Err: err}
	}
	cfg.Timeout, cfg.Attempts, cfg.MaxBackoff = s.opts.Timeout, s.opts.Attempts, 2*time.Second
	c, err := s3api.New(cfg)
	if err != nil {
		return &Error{Op: "configure", Loc: s.loc, Msg: "the AWS configuration: " + err.Error(), Err: err}
	}
	s.client, s.endpoint = c, c.Endpoint()
	return nil
}
