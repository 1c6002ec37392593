package s3

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// Lock takes the lease object name (the compaction lock):
//
//   - taken create-if-absent (If-None-Match: *);
//   - renewed, every third of the TTL and at every Check, by a write with
//     If-Match on the ETag the holder last saw: each renewal writes new
//     content, so the ETag changes while the holder lives;
//   - released by a delete with If-Match on that ETag;
//   - taken over only after its ETag stayed unchanged for a full TTL on
//     the taker's monotonic clock, with If-Match on that ETag: no clock
//     of another machine is trusted, and of two takers one wins.
//
// Without wait, a lease that the server's clock says was renewed within
// the TTL is ErrLocked at once; an older one is watched for a TTL (its
// holder may be dead) and then taken over.
func (s *Store) Lock(name string, wait bool) (vfs.Lock, error) {
	if err := s.probe(); err != nil {
		return nil, err
	}
	l := &lease{s: s, name: name, token: newToken(), stop: make(chan struct{})}
	var seen string      // the ETag being watched
	var seenAt time.Time // since when, monotonic
	poll := min(s.opts.LeaseTTL/10, time.Second)
	for {
		etag, err := l.put("*", "")
		if err == nil {
			return l.held(etag), nil
		}
		if !errors.Is(err, errPrecondition) {
			return nil, err
		}
		h, err := s.readLease(name)
		if errors.Is(err, vfs.ErrNotExist) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, err
		}
		if h.token == l.token {
			// Our own write, applied though its reply was lost (the
			// retry got 412).
			return l.held(h.etag), nil
		}
		if h.etag != seen {
			seen, seenAt = h.etag, time.Now()
			if !wait && s.fresh(h.modified) {
				return nil, fmt.Errorf("lock %s: %w (lease renewed %s ago)", s.loc, vfs.ErrLocked, s.age(h.modified).Round(time.Second))
			}
		}
		if time.Since(seenAt) >= s.opts.LeaseTTL {
			etag, err := l.put("", seen)
			if err == nil {
				return l.held(etag), nil // taken over: its holder stopped renewing
			}
			if !errors.Is(err, errPrecondition) {
				return nil, err
			}
			continue // another taker won, or ours was applied: the next round tells
		}
		time.Sleep(poll)
	}
}

// fresh reports whether an object written at t is younger than the lease
// TTL by the server's clock.
func (s *Store) fresh(t time.Time) bool { return s.age(t) < s.opts.LeaseTTL }

func (s *Store) age(t time.Time) time.Duration {
	now, err := s.Now()
	if err != nil {
		return 0
	}
	return now.Sub(t)
}

// leaseInfo is a lease object as read: its ETag, when it was written
// (by the server's clock), and its holder's token.
type leaseInfo struct {
	etag     string
	modified time.Time
	token    string
}

// readLease reads the lease object name (a few dozen bytes).
func (s *Store) readLease(name string) (leaseInfo, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	out, err := s.client.GetObject(ctx, s3api.GetObjectInput{Bucket: s.bucket, Key: s.key(name), Range: "bytes=0-4095"})
	if err != nil {
		return leaseInfo{}, s.failName("lock", name, err)
	}
	h := leaseInfo{etag: out.ETag, modified: out.LastModified}
	// A lease another tool wrote, or an older chime's, has no fields:
	// it is someone else's.
	fmt.Sscanf(string(out.Body), "chime lease %s\n", &h.token)
	return h, nil
}

// headETag is the ETag of the object name now.
func (s *Store) headETag(name string) (string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	out, err := s.client.HeadObject(ctx, s.bucket, s.key(name))
	if err != nil {
		return "", s.failName("lock", name, err)
	}
	return out.ETag, nil
}

// lease is a held lease.
type lease struct {
	s     *Store
	name  string
	token string

	mu       sync.Mutex
	renewing sync.Mutex // one renewal at a time: two with one ETag would lose to each other
	etag     string     // the ETag of our latest write
	seq      int
	lost     error
	stop     chan struct{}
	once     sync.Once
	ended    sync.WaitGroup
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// put writes the lease's next content, if absent (ifNoneMatch "*") or if
// still at ifMatch, and returns its ETag.
func (l *lease) put(ifNoneMatch, ifMatch string) (string, error) {
	l.mu.Lock()
	l.seq++
	seq := l.seq
	l.mu.Unlock()
	host, _ := os.Hostname()
	body := fmt.Sprintf("chime lease %s\nholder %s pid %d\nrenewal %d\n", l.token, host, os.Getpid(), seq)
	ctx, cancel := l.s.ctx()
	defer cancel()
	etag, err := l.s.client.PutObject(ctx, s3api.PutObjectInput{
		Bucket: l.s.bucket, Key: l.s.key(l.name), Body: strings.NewReader(body), Size: int64(len(body)),
		IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
	})
	if err != nil {
		return "", l.s.failName("lock", l.name, err)
	}
	if etag != "" {
		return etag, nil
	}
	// Some servers (SeaweedFS after a conditional write) send no ETag:
	// ask. Only a taker that saw it unchanged for a TTL could change it
	// meanwhile, and then the next renewal finds out.
	return l.s.headETag(l.name)
}

// held starts the renewals of a lease just taken.
func (l *lease) held(etag string) *lease {
	l.etag = etag
	l.ended.Add(1)
	go l.renewals()
	return l
}

func (l *lease) renewals() {
	defer l.ended.Done()
	t := time.NewTicker(l.s.opts.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if l.renew() != nil && l.isLost() {
				return
			}
		}
	}
}

func (l *lease) isLost() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost != nil
}

// renew rewrites the lease with If-Match on our latest ETag. A 412 means
// it was taken over (we stopped renewing for a TTL): lost for good;
// unless the lease still holds our token, which only our writes carry
// (a renewal applied though its reply was lost). A failed request leaves
// the outcome unknown, and the next renewal tells.
func (l *lease) renew() error {
	l.renewing.Lock()
	defer l.renewing.Unlock()
	l.mu.Lock()
	if l.lost != nil {
		defer l.mu.Unlock()
		return l.lost
	}
	cur := l.etag
	l.mu.Unlock()
	etag, err := l.put("", cur)
	if errors.Is(err, errPrecondition) {
		if h, rerr := l.s.readLease(l.name); rerr == nil && h.token == l.token {
			etag, err = h.etag, nil
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.etag = etag
	case errors.Is(err, errPrecondition):
		l.lost = fmt.Errorf("lock %s: lost: the lease was taken over after it went unrenewed for %s", l.s.loc, l.s.opts.LeaseTTL)
		err = l.lost
	}
	return err
}

// Check renews the lease and reports whether it is still held.
func (l *lease) Check() error { return l.renew() }

// Release stops the renewals and deletes the lease if it is still ours.
func (l *lease) Release() error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		l.ended.Wait()
		l.mu.Lock()
		lost, etag := l.lost, l.etag
		l.mu.Unlock()
		if lost == nil {
			if err = l.s.remove(l.name, etag); errors.Is(err, errPrecondition) {
				err = nil // taken over: not ours to delete
			}
		}
	})
	return err
}
