package s3

import (
	"context"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// defaultRegion is the region when none is configured: custom endpoints
// ignore it, and AWS redirects nothing for us-east-1's signatures.
const defaultRegion = "us-east-1"

// connect builds the S3 client from the standard AWS configuration chain.
func (s *Store) connect() error {
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithHTTPClient(newHTTPClient(s.opts.Timeout)),
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = s.opts.Attempts
				o.MaxBackoff = 2 * time.Second
			})
		}),
	)
	if err != nil {
		return &Error{Op: "configure", Loc: s.loc, Msg: "the AWS configuration: " + err.Error()}
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	s.endpoint = endpointOf(cfg)
	s.http = &httpClient{next: cfg.HTTPClient, n: map[string]int{}}
	s.client = awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		o.HTTPClient = s.http
		// A custom endpoint (MinIO, SeaweedFS, Ceph, R2) is addressed by
		// path: its buckets have no DNS names of their own.
		o.UsePathStyle = s.endpoint != ""
	})
	return nil
}

// endpointOf is the custom endpoint configured, "" for AWS's own.
func endpointOf(cfg aws.Config) string {
	if cfg.BaseEndpoint != nil {
		return *cfg.BaseEndpoint
	}
	for _, v := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		if e := os.Getenv(v); e != "" {
			return e
		}
	}
	return ""
}

// newHTTPClient is the SDK's client with a timeout on each request (the
// configuration chain may still add a CA bundle to it).
func newHTTPClient(timeout time.Duration) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTimeout(timeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 5 * time.Second }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = 64
			tr.ResponseHeaderTimeout = timeout
			tr.DisableCompression = true // ranges of objects, not documents
		})
}

// httpClient counts the SDK's requests by operation and keeps the
// server's clock from their replies.
type httpClient struct {
	next aws.HTTPClient

	mu       sync.Mutex
	n        map[string]int
	date     time.Time // the Date of the latest reply
	dateSeen time.Time // when it arrived, on the local monotonic clock
}

// Do sends one request attempt.
func (h *httpClient) Do(r *http.Request) (*http.Response, error) {
	h.count(opOf(r))
	resp, err := h.next.Do(r)
	if err == nil {
		if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			h.mu.Lock()
			h.date, h.dateSeen = d, time.Now()
			h.mu.Unlock()
		}
	}
	return resp, err
}

func (h *httpClient) count(op string) {
	h.mu.Lock()
	h.n[op]++
	h.mu.Unlock()
}

func (h *httpClient) counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.n))
	for k, v := range h.n {
		out[k] = v
	}
	return out
}

// serverNow is the server's clock, if a reply told it.
func (h *httpClient) serverNow() (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.date.IsZero() {
		return time.Time{}, false
	}
	return h.date.Add(time.Since(h.dateSeen)), true
}

// opOf names a request for the counts: LIST, GET, HEAD, PUT, DELETE, and
// the steps of multipart uploads.
func opOf(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && (q.Has("list-type") || q.Has("delimiter") || q.Has("prefix")):
		return "LIST"
	case q.Has("uploads") && r.Method == http.MethodGet:
		return "LIST-UPLOADS"
	case q.Has("uploads"):
		return "CREATE-UPLOAD"
	case q.Has("partNumber"):
		return "PUT-PART"
	case q.Has("uploadId") && r.Method == http.MethodPost:
		return "COMPLETE-UPLOAD"
	case q.Has("uploadId") && r.Method == http.MethodDelete:
		return "ABORT-UPLOAD"
	}
	return strings.ToUpper(r.Method)
}
