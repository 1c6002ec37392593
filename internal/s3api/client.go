package s3api

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Client sends S3 requests to one endpoint, signed with one chain of
// credentials. It is safe for concurrent use.
type Client struct {
	base       *url.URL // the custom endpoint; nil for AWS
	region     string
	creds      *credentialCache
	hc         *http.Client
	timeout    time.Duration
	attempts   int
	maxBackoff time.Duration

	mu       sync.Mutex
	counts   map[string]int
	date     time.Time     // the Date of the latest reply
	dateSeen time.Time     // when it came, on the local monotonic clock
	skew     time.Duration // the server's clock minus ours, once it complained
}

// New returns a client of the configuration c.
func New(c Config) (*Client, error) {
	cl := &Client{
		region:     cmp.Or(c.Region, DefaultRegion),
		timeout:    cmp.Or(c.Timeout, 30*time.Second),
		attempts:   cmp.Or(c.Attempts, 4),
		maxBackoff: cmp.Or(c.MaxBackoff, 2*time.Second),
		counts:     map[string]int{},
	}
	if c.Credentials == nil {
		return nil, fmt.Errorf("%w: none given", ErrNoCredentials)
	}
	cl.creds = &credentialCache{p: c.Credentials}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("the S3 endpoint %q is not a URL (http[s]://HOST[:PORT])", c.Endpoint)
		}
		cl.base = u
	}
	bundle := c.CABundle
	if cl.scheme() != "https" {
		bundle = "" // no certificate to check: spare parsing them
	}
	tr, err := newTransport(cl.timeout, bundle)
	if err != nil {
		return nil, err
	}
	cl.hc = &http.Client{
		Transport: tr,
		// A redirect would need a new signature; S3's tell a wrong region,
		// which the error then says.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return cl, nil
}

// newTransport is the HTTP transport: connections kept for reuse by
// parallel requests, failing once silent for timeout (see conn.go), the
// reply's headers due within timeout too, no compression (the bodies are
// ranges of objects). A CA bundle replaces the system's roots, as it
// does for the AWS CLI and SDKs.
func newTransport(timeout time.Duration, caBundle string) (*http.Transport, error) {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           idleDialer(timeout),
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
	if caBundle != "" {
		pem, err := os.ReadFile(caBundle)
		if err != nil {
			return nil, fmt.Errorf("the CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA bundle %s holds no PEM certificate", caBundle)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return tr, nil
}

// Endpoint is the custom endpoint, "" for AWS.
func (c *Client) Endpoint() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// Region is the region the requests are signed for.
func (c *Client) Region() string { return c.region }

// Counts is the number of requests sent so far (attempts, retries
// included), by kind: GET, PUT, HEAD, DELETE, LIST, LIST-UPLOADS,
// CREATE-UPLOAD, PUT-PART, COMPLETE-UPLOAD, ABORT-UPLOAD, COPY,
// CREATE-BUCKET.
func (c *Client) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// ServerNow is the server's clock: the Date of its latest reply,
// advanced by the local monotonic clock since; false before any reply.
func (c *Client) ServerNow() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.date.IsZero() {
		return time.Time{}, false
	}
	return c.date.Add(time.Since(c.dateSeen)), true
}

// request is one S3 operation, before it is signed and sent.
type request struct {
	op     string // the operation, for errors
	kind   string // for Counts
	method string
	bucket string
	key    string // "" for the bucket
	query  url.Values
	header http.Header
	body   io.ReaderAt // nil for none; read from 0 to size, at each attempt
	size   int64
	object bool   // the body is object data: unsigned over TLS
	region string // set by do, for errors
}

// response is a successful reply, its body read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// RequestError is a request that got no complete reply: the connection
// failed or timed out, or the body was cut short.
type RequestError struct {
	Op     string
	Bucket string
	Key    string
	Err    error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("%s s3://%s/%s: %v", e.Op, e.Bucket, e.Key, e.Err)
}
func (e *RequestError) Unwrap() error { return e.Err }

// ErrShortBody is wrapped when a reply's body ended before its length.
var ErrShortBody = errors.New("reply body cut short")

// do sends r, with retries: at most c.attempts attempts, each failing
// once silent for c.timeout, spaced by backoff. ctx bounds them all.
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	r.region = c.region
	hash, err := c.payloadHash(r)
	if err != nil {
		return nil, err
	}
	id := invocationID()
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, r, hash, id, attempt)
		if err == nil {
			return resp, nil
		}
		if attempt >= c.attempts || ctx.Err() != nil || !retryable(err) {
			return nil, err
		}
		select {
		case <-time.After(c.backoff(attempt)):
		case <-ctx.Done():
			return nil, err
		}
	}
}

// backoff is the pause after the attempt-th attempt: random, up to a
// bound that doubles from 200 ms to c.maxBackoff ("full jitter", so that
// clients failing together do not retry together).
func (c *Client) backoff(attempt int) time.Duration {
	limit := min(c.maxBackoff, 100*time.Millisecond<<min(attempt, 16))
	if limit <= 0 {
		return 0
	}
	return rand.N(limit)
}

// invocationID is a random identifier in the form of a UUID (version 4).
func invocationID() string {
	var b [16]byte
	crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// attempt sends r once, the n-th attempt of the request id. The attempt
// carries the headers AWS's SDKs send, amz-sdk-invocation-id (the same
// for every attempt of one request) and amz-sdk-request (which attempt
// of how many), so that a proxy or a server's log can tell a retry from
// a new request. They are not signed: a server needs them for nothing.
func (c *Client) attempt(ctx context.Context, r *request, hash, id string, n int) (*response, error) {
	creds, err := c.creds.get(ctx)
	if err != nil {
		return nil, err
	}
	hr := c.httpRequest(ctx, r, hash, creds, c.clock())
	hr.Header.Set("Amz-Sdk-Invocation-Id", id)
	hr.Header.Set("Amz-Sdk-Request", fmt.Sprintf("attempt=%d; max=%d", n, c.attempts))
	c.count(r.kind)
	resp, err := c.hc.Do(hr)
	if err != nil {
		return nil, &RequestError{Op: r.op, Bucket: r.bucket, Key: r.key, Err: err}
	}
	defer resp.Body.Close()
	c.sawDate(resp.Header)
	body, err := readBody(resp)
	if err != nil {
		return nil, &RequestError{Op: r.op, Bucket: r.bucket, Key: r.key, Err: fmt.Errorf("%w: %w", ErrShortBody, err)}
	}
	if resp.StatusCode/100 != 2 {
		e := replyError(r, resp.StatusCode, resp.Header, body)
		if e.Status == http.StatusForbidden {
			e.skewed = c.correctSkew(resp.Header)
		}
		return nil, e
	}
	if r.op == "CompleteMultipartUpload" || r.op == "CopyObject" {
		if e := errorIn200(r, resp.Header, body); e != nil {
			return nil, e
		}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// readBody reads a reply's body whole: into a buffer of its length when
// it has one, so that a body cut short is an error.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.Request != nil && resp.Request.Method == http.MethodHead {
		return nil, nil // its Content-Length is the object's
	}
	if resp.ContentLength < 0 {
		return io.ReadAll(resp.Body)
	}
	b := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		return nil, err
	}
	return b, nil
}

// retryable reports the failures another attempt may cure: no reply (but
// for certificates and names that do not resolve), a body cut short,
// throttling, and the server's transient errors.
func retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		if e.skewed {
			return true // signed again on the server's clock
		}
		switch e.Status {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		switch e.Code {
		case "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable",
			"Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException":
			return true
		}
		return false
	}
	var re *RequestError
	if !errors.As(err, &re) {
		return false // credentials: their sources retry themselves
	}
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var dns *net.DNSError
	switch {
	case errors.As(err, &cert), errors.As(err, &unknown), errors.As(err, &host):
		return false
	case errors.As(err, &dns) && dns.IsNotFound:
		return false
	}
	return true
}

// payloadHash is the x-amz-content-sha256 of r's body: UNSIGNED-PAYLOAD
// for object data over TLS, the body's SHA-256 otherwise (as the SDK
// does: over plain HTTP the signature is what protects the bytes).
func (c *Client) payloadHash(r *request) (string, error) {
	switch {
	case r.object && c.scheme() == "https":
		return unsignedPayload, nil
	case r.body == nil || r.size == 0:
		return emptyHash, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r.body, 0, r.size)); err != nil {
		return "", fmt.Errorf("%s s3://%s/%s: read the body: %w", r.op, r.bucket, r.key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// httpRequest is r as an HTTP request, signed at time now.
func (c *Client) httpRequest(ctx context.Context, r *request, hash string, creds Credentials, now time.Time) *http.Request {
	u := c.url(r.bucket, r.key, r.query)
	hr := (&http.Request{
		Method:     r.method,
		URL:        u,
		Host:       u.Host,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
		Body:       http.NoBody,
	}).WithContext(ctx)
	for k, v := range r.header {
		hr.Header[k] = v
	}
	if r.body != nil && r.size > 0 {
		body, size := r.body, r.size
		hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(body, 0, size)), nil }
		hr.Body, _ = hr.GetBody()
		hr.ContentLength = size
	}
	sign(hr, creds, c.region, hash, now)
	return hr
}

func (c *Client) scheme() string {
	if c.base != nil {
		return c.base.Scheme
	}
	return "https"
}

// url is the URL of an object (or of the bucket, for key ""): by path on
// a custom endpoint, by virtual host on AWS when the bucket's name is a
// DNS label.
func (c *Client) url(bucket, key string, q url.Values) *url.URL {
	u := &url.URL{Scheme: c.scheme()}
	path := "/" + bucket
	switch {
	case c.base != nil:
		u.Host = c.base.Host
		path = strings.TrimSuffix(c.base.Path, "/") + path
	case virtualHostable(bucket):
		u.Host = bucket + ".s3." + c.region + "." + awsDomain(c.region)
		path = ""
	default:
		u.Host = "s3." + c.region + "." + awsDomain(c.region)
	}
	if key != "" || path == "" {
		path += "/" + key
	}
	u.Path, u.RawPath = path, escape(path, true)
	u.RawQuery = encodeQuery(q)
	return u
}

// encodeQuery encodes a query as SigV4 does; a parameter with no value
// is its name alone (?uploads).
func encodeQuery(q url.Values) string {
	var b strings.Builder
	for k, vs := range q {
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(escape(k, false))
			if v != "" {
				b.WriteString("=" + escape(v, false))
			}
		}
	}
	return b.String()
}

// virtualHostable reports whether a bucket's name can be a host name
// under AWS's wildcard certificate: a DNS label of 3 to 63 lower-case
// letters, digits and hyphens (no dots).
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		if c := bucket[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// awsDomain is the domain of AWS's endpoints in a region.
func awsDomain(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

func (c *Client) count(kind string) {
	c.mu.Lock()
	c.counts[kind]++
	c.mu.Unlock()
}

// sawDate keeps the Date of a reply: the server's clock.
func (c *Client) sawDate(h http.Header) {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	c.mu.Lock()
	c.date, c.dateSeen = d, time.Now()
	c.mu.Unlock()
}

// clock is the time requests are signed with: the local clock, corrected
// by the skew a server complained of.
func (c *Client) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

// maxSkew is how far the clock a request was signed with may be from the
// Date of a 403 reply before chime blames its clock: AWS refuses
// signatures 15 minutes off its own (RequestTimeTooSkewed, or a bare 403
// to HEAD).
const maxSkew = 5 * time.Minute

// correctSkew sets the skew from the Date of a 403 reply if that Date is
// more than maxSkew off the clock requests are signed with, and reports
// whether it did: the request is then worth another attempt.
func (c *Client) correctSkew(h http.Header) bool {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	skew := time.Until(d)
	if (skew - c.skew).Abs() <= maxSkew {
		return false
	}
	c.skew = skew
	return true
}
