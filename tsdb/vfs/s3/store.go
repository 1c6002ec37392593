package s3

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// Scheme starts the locations this package serves.
const Scheme = "s3://"

// IsLocation reports whether loc names an object-storage database
// (s3://BUCKET/PREFIX).
func IsLocation(loc string) bool { return strings.HasPrefix(loc, Scheme) }

// Options tune a store. The zero value is the default.
type Options struct {
	// Cache is a directory for a local cache of the byte ranges read,
	// keyed by object and ETag (objects never change, so it is never
	// stale); "" means no cache.
	Cache string
	// Grace is how old an incomplete multipart upload must be, by the
	// server's clock, before Stale reports it as a dead writer's; 0 means
	// an hour, a negative value any age.
	Grace time.Duration
	// LeaseTTL is how long a lock's lease lasts unrenewed: a taker waits
	// that long, seeing the lease object unchanged, before it takes over.
	// 0 means 30 s.
	LeaseTTL time.Duration
	// Timeout bounds the silence of each request attempt: it fails once
	// nothing moved either way for that long, or its reply's headers
	// took longer (a transfer in progress takes what it takes); 0 means
	// 30 s.
	Timeout time.Duration
	// Attempts bounds the attempts of each request (retries with backoff);
	// 0 means the AWS configuration's (AWS_MAX_ATTEMPTS, max_attempts),
	// or else 4.
	Attempts int
	// PartSize is the size of the parts of a multipart upload, and the
	// size from which an object is uploaded in parts; 0 means 16 MiB, and
	// a size below MinPartSize means MinPartSize.
	PartSize int64
	// Parallel is the number of requests an upload or a scan keeps in
	// flight; 0 means 4.
	Parallel int
}

// MinPartSize is the smallest part of a multipart upload that S3 accepts
// (but for the last).
const MinPartSize = 5 << 20

// MaxPartSize is the largest part that S3 accepts.
const MaxPartSize = 5 << 30

func (o Options) withDefaults() Options {
	if o.Grace == 0 {
		o.Grace = time.Hour
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.PartSize <= 0 {
		o.PartSize = 16 << 20
	}
	o.PartSize = max(o.PartSize, MinPartSize)
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	return o
}

// Store is a database's objects in a bucket, under a prefix. It is safe
// for concurrent use.
type Store struct {
	loc      string
	bucket   string
	prefix   string // "" or ending in '/'
	endpoint string // for messages
	client   *s3api.Client
	opts     Options
	cache    *cache

	// sizes remembers the sizes of listed objects by name and ETag, so
	// that Open fetches a small object whole in one request.
	sizes sync.Map

	// probed is shared by the stores of one server (see Sub): the probe
	// of conditional writes runs once per process.
	probed *probeState
}

// Open returns the store of the location s3://BUCKET/PREFIX, configured
// from the standard AWS environment and files. It sends no request.
func Open(loc string, o Options) (*Store, error) {
	bucket, prefix, err := ParseLocation(loc)
	if err != nil {
		return nil, err
	}
	o = o.withDefaults()
	s := &Store{loc: loc, bucket: bucket, prefix: prefix, opts: o, probed: &probeState{}}
	if err := s.connect(); err != nil {
		return nil, err
	}
	if o.Cache != "" {
		if s.cache, err = openCache(o.Cache); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ParseLocation splits s3://BUCKET/PREFIX into the bucket and the key
// prefix of the database's objects ("" or ending in '/').
func ParseLocation(loc string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(loc, Scheme)
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// location", loc)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket (s3://BUCKET/PREFIX)", loc)
	}
	if strings.Contains(prefix, "//") {
		return "", "", fmt.Errorf("%q: an empty path segment in the prefix", loc)
	}
	if prefix != "" {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// String is the location, s3://BUCKET/PREFIX.
func (s *Store) String() string { return s.loc }

// Bucket and Prefix name where the objects are.
func (s *Store) Bucket() string { return s.bucket }

// Prefix is the key prefix of the database's objects: "" or ending in '/'.
func (s *Store) Prefix() string { return s.prefix }

// Caps: object storage replaces nothing, and a removed object is gone
// for readers that had it open.
func (s *Store) Caps() vfs.Caps { return vfs.Caps{Remote: true} }

// Sub returns the store of the database at PREFIX/name under this one
// (sharing its client): a server's root holds one database per name.
func (s *Store) Sub(name string) *Store {
	return &Store{
		loc: strings.TrimSuffix(s.loc, "/") + "/" + name, bucket: s.bucket, prefix: s.prefix + name + "/",
		endpoint: s.endpoint, client: s.client, opts: s.opts, cache: s.cache, probed: s.probed,
	}
}

func (s *Store) key(name string) string { return s.prefix + name }

// ctx is the context of one request. It sets no deadline: every attempt
// fails once it stalls for the timeout, and the attempts are bounded in
// number, so no request waits for ever; a deadline on the whole would
// also cut short a large transfer that progresses.
func (s *Store) ctx() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// List lists the objects of the prefix (not those of databases below it),
// leaving out the store's own names (starting with '.').
func (s *Store) List() ([]vfs.Entry, error) {
	var out []vfs.Entry
	err := s.listPrefix(s.prefix, func(name string, e vfs.Entry) {
		if !strings.HasPrefix(name, ".") {
			out = append(out, e)
		}
	})
	return out, err
}

// listPrefix lists the objects directly under prefix, page by page.
func (s *Store) listPrefix(prefix string, each func(name string, e vfs.Entry)) error {
	in := s3api.ListObjectsV2Input{Bucket: s.bucket, Prefix: prefix, Delimiter: "/"}
	for {
		ctx, cancel := s.ctx()
		page, err := s.client.ListObjectsV2(ctx, in)
		cancel()
		if err != nil {
			return s.fail("list", err)
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(o.Key, prefix)
			e := vfs.Entry{Name: name, Version: vfs.Version(o.ETag), Size: o.Size, ModTime: o.LastModified}
			s.sizes.Store(sizeKey(name, e.Version), e.Size)
			each(name, e)
		}
		if !page.IsTruncated {
			return nil
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}

// ListDirs lists the names of the "directories" directly under the
// store's prefix: the databases of a server's root.
func (s *Store) ListDirs() ([]string, error) {
	in := s3api.ListObjectsV2Input{Bucket: s.bucket, Prefix: s.prefix, Delimiter: "/"}
	var out []string
	for {
		ctx, cancel := s.ctx()
		page, err := s.client.ListObjectsV2(ctx, in)
		cancel()
		if err != nil {
			return nil, s.fail("list", err)
		}
		for _, p := range page.CommonPrefixes {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(p, s.prefix), "/"))
		}
		if !page.IsTruncated {
			return out, nil
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}

func sizeKey(name string, v vfs.Version) string { return name + "\x00" + string(v) }

// knownSize is the size of the object name at version v, when a listing
// said it.
func (s *Store) knownSize(name string, v vfs.Version) (int64, bool) {
	if v == "" {
		return 0, false
	}
	n, ok := s.sizes.Load(sizeKey(name, v))
	if !ok {
		return 0, false
	}
	return n.(int64), true
}

// Remove deletes objects, several requests in flight. DeleteObject of a
// missing key succeeds, so a name already gone is not an error.
func (s *Store) Remove(names ...string) error {
	errs := make([]error, len(names))
	sem := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = s.remove(name, "")
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// remove deletes one object, if it still has the ETag etag when given.
func (s *Store) remove(name, etag string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.client.DeleteObject(ctx, s3api.DeleteObjectInput{Bucket: s.bucket, Key: s.key(name), IfMatch: etag}); err != nil {
		if status(err) == 404 {
			return nil
		}
		return s.failName("remove", name, err)
	}
	return nil
}

// Now is the server's clock: the Date of its latest reply, advanced by
// the local monotonic clock since. The grace periods of a database are
// measured on it (it implements tsdb.Clock).
func (s *Store) Now() (time.Time, error) {
	if t, ok := s.client.ServerNow(); ok {
		return t, nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.client.HeadBucket(ctx, s.bucket); err != nil {
		return time.Time{}, s.fail("read the server's clock", err)
	}
	if t, ok := s.client.ServerNow(); ok {
		return t, nil
	}
	return time.Time{}, errors.New("the server's replies carry no Date header")
}

// Requests is the number of requests sent so far, by operation (GET,
// PUT, LIST, ...): what a command costs on a store that bills requests.
func (s *Store) Requests() map[string]int { return s.client.Counts() }

// Endpoint is the S3 endpoint in use ("" for AWS's default).
func (s *Store) Endpoint() string { return s.endpoint }

func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	return u.Host
}

// RemoveAll removes every object of the store's prefix, its own (lease,
// probe) included, but not those of databases below it.
func (s *Store) RemoveAll() error {
	var names []string
	if err := s.listPrefix(s.prefix, func(name string, _ vfs.Entry) { names = append(names, name) }); err != nil {
		return err
	}
	return s.Remove(names...)
}
