package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// Error is a failed request, said in one line: what failed, where, and
// the likely cause (a missing bucket, wrong credentials, an unreachable
// endpoint), with the server's own words. Err is what it wraps:
// vfs.ErrNotExist, vfs.ErrChanged or vfs.ErrExist when the reply meant
// that, or the client's error (an *s3api.Error for a reply).
type Error struct {
	Op   string // list, open, read, publish, remove, lock, ...
	Loc  string // the store, or the object
	Msg  string
	Err  error
	Code int // the HTTP status, 0 when no reply came
}

// Error is the message alone: callers name the operation and the object.
func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// ErrNoConditionalWrites is wrapped when the server ignores If-None-Match
// or If-Match on writes: chime's commit protocol needs them.
var ErrNoConditionalWrites = errors.New("the S3 server does not honour conditional writes (If-None-Match / If-Match)")

// status is the HTTP status of a failed request's reply, 0 when none came.
func status(err error) int { return s3api.StatusOf(err) }

// code is the S3 error code of a failed request ("NoSuchBucket"), "" when
// the reply had none.
func code(err error) string { return s3api.CodeOf(err) }

// fail makes a client's error of an operation on the store one clear line.
func (s *Store) fail(op string, err error) error { return s.failName(op, "", err) }

// failName makes a client's error of an operation on the object name one
// clear line, wrapping the vfs sentinel its status means.
func (s *Store) failName(op, name string, err error) error {
	e := &Error{Op: op, Loc: s.loc, Err: err, Code: status(err)}
	if name != "" {
		e.Loc = s.loc + "/" + name
		if s.prefix == "" {
			e.Loc = s.loc + name
		}
	}
	c := code(err)
	switch {
	case c == "NoSuchBucket":
		e.Msg = fmt.Sprintf("bucket %q does not exist%s", s.bucket, s.at())
	case c == "InvalidAccessKeyId" || c == "SignatureDoesNotMatch" || c == "InvalidToken" || c == "ExpiredToken" || c == "AccessDenied" || e.Code == 403:
		e.Msg = fmt.Sprintf("access denied%s (%s): check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE)", s.at(), cmpOr(c, "403 Forbidden"))
	case c == "NoSuchKey" || e.Code == 404:
		e.Msg, e.Err = "no such object", fmt.Errorf("%w (%w)", vfs.ErrNotExist, err)
	case e.Code == 412:
		e.Msg, e.Err = "precondition failed", fmt.Errorf("%w (%w)", errPrecondition, err)
	case isTimeout(err):
		e.Msg = fmt.Sprintf("no reply in time from the S3 endpoint%s (nothing moved for %v)", s.at(), s.opts.Timeout)
	case isNetwork(err):
		e.Msg = fmt.Sprintf("cannot reach the S3 endpoint%s: %v", s.at(), cause(err))
	default:
		e.Msg = cause(err).Error()
	}
	return e
}

// errPrecondition is wrapped for a 412 reply: an If-Match or
// If-None-Match that did not hold.
var errPrecondition = errors.New("precondition failed")

func (s *Store) at() string {
	if s.endpoint == "" {
		return ""
	}
	return " at " + s.endpoint
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isTimeout reports a request that stalled: no reply, or a reply that
// stopped coming (a connection that cannot be made is not one: it
// cannot reach the endpoint).
func isTimeout(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// isNetwork reports a failure to connect or a connection lost.
func isNetwork(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &oe) || errors.As(err, &ne) && !ne.Timeout()
}

// cause strips a client's error down to the server's code and message,
// or the network error: the caller names the operation and the object.
func cause(err error) error {
	var ae *s3api.Error
	if errors.As(err, &ae) {
		msg := fmt.Sprintf("%s: %s", ae.Code, ae.Message)
		if ae.Region != "" {
			msg += fmt.Sprintf(" (the bucket is in region %s: set AWS_REGION=%s)", ae.Region, ae.Region)
		}
		return errors.New(msg)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe
	}
	var re *s3api.RequestError
	if errors.As(err, &re) {
		err = re.Err
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err // not the URL again
		}
	}
	return err
}
