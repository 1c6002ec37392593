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
	if s.opts.Attempts > 0 {
		cfg.Attempts = s.opts.Attempts // else the configuration's, or the client's 4
	}
	cfg.Timeout, cfg.MaxBackoff = s.opts.Timeout, 2*time.Second
	c, err := s3api.New(cfg)
	if err != nil {
		return &Error{Op: "configure", Loc: s.loc, Msg: "the AWS configuration: " + err.Error(), Err: err}
	}
	s.client, s.endpoint = c, c.Endpoint()
	return nil
}
