// Command sigv4gen writes ../sigv4.json: chime's S3 requests as
// aws-sdk-go-v2 builds and signs them, the independent reference that
// s3api's TestSign_SDK holds chime's own requests and signatures to.
//
// Each case is run through the SDK's S3 client, whose HTTP client
// captures the request instead of sending it: its method, URL and the
// headers chime's client also sends (Range, If-Match, If-None-Match,
// X-Amz-Copy-Source, X-Amz-Content-Sha256). That request is then signed by the SDK's SigV4
// signer at a fixed time with fixed credentials (the S3 client signs at
// the current time), and the Authorization recorded.
//
// It is a module of its own, under testdata, so that chime's module does
// not require the SDK. Run it after a change to the cases:
//
//	cd internal/s3api/testdata/sigv4gen && go run . > ../sigv4.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Input is an operation's parameters, as TestSign_SDK reads them.
type Input struct {
	Bucket, Key                 string
	Range, IfMatch, IfNoneMatch string `json:",omitempty"`
	Body                        string `json:",omitempty"`
	Prefix, Delimiter           string `json:",omitempty"`
	ContinuationToken           string `json:",omitempty"`
	MaxKeys                     int    `json:",omitempty"`
	UploadID                    string `json:",omitempty"`
	PartNumber                  int    `json:",omitempty"`
	Parts                       []Part `json:",omitempty"`
	KeyMarker, UploadIDMarker   string `json:",omitempty"`
	SourceBucket, SourceKey     string `json:",omitempty"`
}

// Part is a completed part.
type Part struct {
	Number int
	ETag   string
}

// Case is one request.
type Case struct {
	Name     string
	Op       string
	Endpoint string // "" for AWS
	Region   string
	KeyID    string
	Secret   string
	Token    string `json:",omitempty"`
	Time     time.Time
	Input    Input

	// What the SDK made of it.
	Method        string
	URL           string
	Headers       map[string]string // those chime sends too
	Body          string            `json:",omitempty"` // an XML body the SDK made
	Authorization string
}

const (
	keyID  = "AKIDEXAMPLECHIME000"
	secret = "chime/secret+key/for/tests/only/0123456"
	local  = "http://127.0.0.1:8333"
)

var at = time.Date(2026, 11, 9, 12, 34, 56, 0, time.UTC)

// keyChars is a key with every kind of character a path encodes.
const keyChars = "db/tx.0000000000000001 a+b=c&d?e#f%g;h:i@j,k$l!m*n'o(p)q[r]s~t_u-v.w/ü/日本/~x"

func cases() []Case {
	cs := []Case{
		{Name: "put create-if-absent", Op: "PutObject", Input: Input{Bucket: "tbucket", Key: "db/tx.0000000000000001", Body: "rows\n", IfNoneMatch: "*"}},
		{Name: "put if-match", Op: "PutObject", Input: Input{Bucket: "tbucket", Key: "db/.compact", Body: "chime lease 1\n", IfMatch: `"0123456789abcdef0123456789abcdef"`}},
		{Name: "put empty", Op: "PutObject", Input: Input{Bucket: "tbucket", Key: "db/main", IfNoneMatch: "*"}},
		{Name: "put odd key", Op: "PutObject", Input: Input{Bucket: "tbucket", Key: keyChars, Body: "x"}},
		{Name: "get tail pinned", Op: "GetObject", Input: Input{Bucket: "tbucket", Key: "db/main.0000000000000002", Range: "bytes=-262144", IfMatch: `"abc"`}},
		{Name: "get range", Op: "GetObject", Input: Input{Bucket: "tbucket", Key: "db/main", Range: "bytes=1048576-2097151"}},
		{Name: "get whole odd key", Op: "GetObject", Input: Input{Bucket: "tbucket", Key: keyChars}},
		{Name: "head", Op: "HeadObject", Input: Input{Bucket: "tbucket", Key: "db/.compact"}},
		{Name: "head bucket", Op: "HeadBucket", Input: Input{Bucket: "tbucket"}},
		{Name: "delete", Op: "DeleteObject", Input: Input{Bucket: "tbucket", Key: "db/tx.5"}},
		{Name: "delete if-match", Op: "DeleteObject", Input: Input{Bucket: "tbucket", Key: "db/.compact", IfMatch: `"e1"`}},
		{Name: "list", Op: "ListObjectsV2", Input: Input{Bucket: "tbucket", Prefix: "db/", Delimiter: "/"}},
		{Name: "list page", Op: "ListObjectsV2", Input: Input{Bucket: "tbucket", Prefix: "a b+c/", Delimiter: "/", ContinuationToken: "1/ab+cd=ef==", MaxKeys: 2}},
		{Name: "list bucket", Op: "ListObjectsV2", Input: Input{Bucket: "tbucket"}},
		{Name: "create upload", Op: "CreateMultipartUpload", Input: Input{Bucket: "tbucket", Key: "db/main.0000000000000003"}},
		{Name: "upload part", Op: "UploadPart", Input: Input{Bucket: "tbucket", Key: "db/main.0000000000000003", UploadID: "up/1+2=", PartNumber: 2, Body: strings.Repeat("part", 300)}},
		{Name: "complete", Op: "CompleteMultipartUpload", Input: Input{Bucket: "tbucket", Key: "db/main.0000000000000003", UploadID: "up1", IfNoneMatch: "*",
			Parts: []Part{{1, `"aa"`}, {2, `"bb"`}}}},
		{Name: "abort", Op: "AbortMultipartUpload", Input: Input{Bucket: "tbucket", Key: "db/main.0000000000000003", UploadID: "up1"}},
		{Name: "list uploads", Op: "ListMultipartUploads", Input: Input{Bucket: "tbucket", Prefix: "db/", Delimiter: "/"}},
		{Name: "list uploads page", Op: "ListMultipartUploads", Input: Input{Bucket: "tbucket", Prefix: "db/", KeyMarker: "db/x y", UploadIDMarker: "u+1"}},
		{Name: "create bucket", Op: "CreateBucket", Input: Input{Bucket: "tbucket"}},
		{Name: "copy", Op: "CopyObject", Input: Input{Bucket: "tbucket", Key: "db.bad/tx.5", SourceBucket: "src-bucket", SourceKey: "db/tx.5", IfNoneMatch: "*"}},
	}
	var out []Case
	for _, c := range cs {
		// On a custom endpoint (by path, over plain HTTP: bodies hashed).
		c.Endpoint, c.Region = local, "us-east-1"
		out = append(out, c)
	}
	for _, c := range cs {
		// On AWS (by virtual host, over TLS: object bodies unsigned),
		// with a session token.
		c.Name += " aws"
		c.Region, c.Token = "eu-west-1", "session/token+of=temporary"
		out = append(out, c)
	}
	return append(out,
		Case{Name: "aws bucket with dots", Op: "GetObject", Region: "us-west-2", Input: Input{Bucket: "my.dotted.bucket", Key: "db/main"}},
		Case{Name: "aws create bucket in region", Op: "CreateBucket", Region: "ap-southeast-2", Input: Input{Bucket: "tbucket"}},
		Case{Name: "endpoint with a path", Op: "GetObject", Endpoint: "https://gw.example:9443/s3", Region: "us-east-1", Input: Input{Bucket: "b1", Key: "db/main"}},
	)
}

func main() {
	var out []Case
	for _, c := range cases() {
		c.KeyID, c.Secret, c.Time = keyID, secret, at
		if err := run(&c); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
			os.Exit(1)
		}
		out = append(out, c)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// capture is an HTTP client that keeps the request instead of sending it.
type capture struct {
	req  *http.Request
	body []byte
}

var errCaptured = errors.New("captured")

func (c *capture) Do(r *http.Request) (*http.Response, error) {
	c.req = r
	if r.Body != nil {
		c.body, _ = io.ReadAll(r.Body)
	}
	return nil, errCaptured
}

// run captures the SDK's request for c and signs it at c.Time.
func run(c *Case) error {
	capt := &capture{}
	o := awss3.Options{
		Region:                     c.Region,
		Credentials:                credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, c.Token),
		HTTPClient:                 capt,
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if c.Endpoint != "" {
		o.BaseEndpoint, o.UsePathStyle = aws.String(c.Endpoint), true
	}
	if err := call(awss3.New(o), c); !errors.Is(err, errCaptured) {
		return fmt.Errorf("the SDK did not send: %v", err)
	}
	r := capt.req
	u := *r.URL
	q := u.Query()
	q.Del("x-id") // the SDK's operation tag; S3 ignores it
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	c.Method, c.URL = r.Method, u.String()
	if c.Input.Body == "" && len(capt.body) > 0 {
		c.Body = string(capt.body)
	}
	c.Headers = map[string]string{}
	signed, _ := http.NewRequest(r.Method, u.String(), nil)
	signed.URL = &u
	signed.ContentLength = r.ContentLength
	for _, h := range []string{"Range", "If-Match", "If-None-Match", "X-Amz-Copy-Source", "X-Amz-Content-Sha256"} {
		if v := r.Header.Get(h); v != "" {
			c.Headers[h] = v
			signed.Header.Set(h, v)
		}
	}
	creds := aws.Credentials{AccessKeyID: c.KeyID, SecretAccessKey: c.Secret, SessionToken: c.Token}
	s := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := s.SignHTTP(context.Background(), creds, signed, c.Headers["X-Amz-Content-Sha256"], "s3", c.Region, c.Time); err != nil {
		return err
	}
	c.Authorization = signed.Header.Get("Authorization")
	return nil
}

// call runs c's operation on the SDK's client.
func call(cl *awss3.Client, c *Case) error {
	ctx, in := context.Background(), c.Input
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return aws.String(s)
	}
	body := func() io.Reader { return bytes.NewReader([]byte(in.Body)) }
	var err error
	switch c.Op {
	case "PutObject":
		_, err = cl.PutObject(ctx, &awss3.PutObjectInput{Bucket: &in.Bucket, Key: &in.Key, Body: body(),
			ContentLength: aws.Int64(int64(len(in.Body))), IfNoneMatch: opt(in.IfNoneMatch), IfMatch: opt(in.IfMatch)})
	case "GetObject":
		_, err = cl.GetObject(ctx, &awss3.GetObjectInput{Bucket: &in.Bucket, Key: &in.Key, Range: opt(in.Range), IfMatch: opt(in.IfMatch)})
	case "HeadObject":
		_, err = cl.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &in.Bucket, Key: &in.Key})
	case "HeadBucket":
		_, err = cl.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: &in.Bucket})
	case "DeleteObject":
		_, err = cl.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &in.Bucket, Key: &in.Key, IfMatch: opt(in.IfMatch)})
	case "ListObjectsV2":
		var max *int32
		if in.MaxKeys > 0 {
			max = aws.Int32(int32(in.MaxKeys))
		}
		_, err = cl.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: &in.Bucket, Prefix: opt(in.Prefix), Delimiter: opt(in.Delimiter),
			ContinuationToken: opt(in.ContinuationToken), MaxKeys: max})
	case "CreateMultipartUpload":
		_, err = cl.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: &in.Bucket, Key: &in.Key})
	case "UploadPart":
		_, err = cl.UploadPart(ctx, &awss3.UploadPartInput{Bucket: &in.Bucket, Key: &in.Key, UploadId: &in.UploadID,
			PartNumber: aws.Int32(int32(in.PartNumber)), Body: body(), ContentLength: aws.Int64(int64(len(in.Body)))})
	case "CompleteMultipartUpload":
		var parts []types.CompletedPart
		for _, p := range in.Parts {
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)})
		}
		_, err = cl.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: &in.Bucket, Key: &in.Key, UploadId: &in.UploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, IfNoneMatch: opt(in.IfNoneMatch), IfMatch: opt(in.IfMatch)})
	case "AbortMultipartUpload":
		_, err = cl.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: &in.Bucket, Key: &in.Key, UploadId: &in.UploadID})
	case "ListMultipartUploads":
		_, err = cl.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &in.Bucket, Prefix: opt(in.Prefix), Delimiter: opt(in.Delimiter),
			KeyMarker: opt(in.KeyMarker), UploadIdMarker: opt(in.UploadIDMarker)})
	case "CopyObject":
		// The SDK sends CopySource as given: S3 wants it URL-encoded,
		// '/' kept, in any of the encodings that decode to the key (the
		// odd keys' copies are tested on SeaweedFS instead).
		src := (&url.URL{Path: in.SourceBucket + "/" + in.SourceKey}).EscapedPath()
		_, err = cl.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: &in.Bucket, Key: &in.Key, CopySource: &src, IfNoneMatch: opt(in.IfNoneMatch)})
	case "CreateBucket":
		in2 := &awss3.CreateBucketInput{Bucket: &in.Bucket}
		if c.Region != "us-east-1" {
			in2.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(c.Region)}
		}
		_, err = cl.CreateBucket(ctx, in2)
	default:
		return fmt.Errorf("unknown operation %s", c.Op)
	}
	return err
}
