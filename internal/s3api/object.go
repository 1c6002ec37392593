package s3api

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// PutObjectInput is an object to write, under conditions.
type PutObjectInput struct {
	Bucket string
	Key    string
	// Body holds the object's Size bytes, read from offset 0 at each
	// attempt: an *os.File, a *strings.Reader, an *io.SectionReader.
	Body io.ReaderAt
	Size int64
	// IfNoneMatch "*" writes only if the key has no object.
	IfNoneMatch string
	// IfMatch writes only if the key's object has this ETag.
	IfMatch string
}

// PutObject writes an object and returns its ETag ("" when the server
// sent none). A condition that does not hold is a 412 *Error.
func (c *Client) PutObject(ctx context.Context, in PutObjectInput) (string, error) {
	resp, err := c.do(ctx, putObjectRequest(in))
	if err != nil {
		return "", err
	}
	return resp.header.Get("ETag"), nil
}

func putObjectRequest(in PutObjectInput) *request {
	return &request{
		op: "PutObject", kind: "PUT", method: http.MethodPut, bucket: in.Bucket, key: in.Key,
		header: conditions(in.IfNoneMatch, in.IfMatch), body: in.Body, size: in.Size, object: true,
	}
}

// conditions are the headers of a conditional request.
func conditions(ifNoneMatch, ifMatch string) http.Header {
	h := http.Header{}
	if ifNoneMatch != "" {
		h.Set("If-None-Match", ifNoneMatch)
	}
	if ifMatch != "" {
		h.Set("If-Match", ifMatch)
	}
	return h
}

// GetObjectInput is an object, or a range of it, to read.
type GetObjectInput struct {
	Bucket string
	Key    string
	// Range is an HTTP byte range, "bytes=FIRST-LAST" or "bytes=-N";
	// "" for the whole object.
	Range string
	// IfMatch reads only if the object has this ETag (else 412).
	IfMatch string
}

// GetObjectOutput is what GetObject read.
type GetObjectOutput struct {
	Body []byte
	ETag string
	// ContentRange is "bytes FIRST-LAST/SIZE" for a range, "" otherwise.
	ContentRange string
	LastModified time.Time
}

// GetObject reads an object or a range of it, whole into memory, within
// one attempt's timeout; a body cut short is fetched again.
func (c *Client) GetObject(ctx context.Context, in GetObjectInput) (*GetObjectOutput, error) {
	resp, err := c.do(ctx, getObjectRequest(in))
	if err != nil {
		return nil, err
	}
	out := &GetObjectOutput{Body: resp.body, ETag: resp.header.Get("ETag"), ContentRange: resp.header.Get("Content-Range")}
	out.LastModified, _ = http.ParseTime(resp.header.Get("Last-Modified"))
	return out, nil
}

func getObjectRequest(in GetObjectInput) *request {
	h := conditions("", in.IfMatch)
	if in.Range != "" {
		h.Set("Range", in.Range)
	}
	return &request{op: "GetObject", kind: "GET", method: http.MethodGet, bucket: in.Bucket, key: in.Key, header: h}
}

// ObjectInfo is what HeadObject tells of an object.
type ObjectInfo struct {
	ETag         string
	Size         int64
	LastModified time.Time
}

// HeadObject reads an object's ETag, size and modification time. A
// missing object is a 404 *Error with the code NotFound (a reply to HEAD
// has no body to name a code).
func (c *Client) HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	resp, err := c.do(ctx, headObjectRequest(bucket, key))
	if err != nil {
		return ObjectInfo{}, err
	}
	info := ObjectInfo{ETag: resp.header.Get("ETag")}
	info.Size, _ = strconv.ParseInt(resp.header.Get("Content-Length"), 10, 64)
	info.LastModified, _ = http.ParseTime(resp.header.Get("Last-Modified"))
	return info, nil
}

func headObjectRequest(bucket, key string) *request {
	return &request{op: "HeadObject", kind: "HEAD", method: http.MethodHead, bucket: bucket, key: key}
}

// HeadBucket checks that a bucket exists and can be reached.
func (c *Client) HeadBucket(ctx context.Context, bucket string) error {
	_, err := c.do(ctx, headBucketRequest(bucket))
	return err
}

func headBucketRequest(bucket string) *request {
	return &request{op: "HeadBucket", kind: "HEAD", method: http.MethodHead, bucket: bucket}
}

// DeleteObjectInput is an object to delete.
type DeleteObjectInput struct {
	Bucket string
	Key    string
	// IfMatch deletes only if the object has this ETag (else 412).
	IfMatch string
}

// DeleteObject deletes an object. Deleting a missing key succeeds on
// AWS; some servers answer 404.
func (c *Client) DeleteObject(ctx context.Context, in DeleteObjectInput) error {
	_, err := c.do(ctx, deleteObjectRequest(in))
	return err
}

func deleteObjectRequest(in DeleteObjectInput) *request {
	return &request{op: "DeleteObject", kind: "DELETE", method: http.MethodDelete, bucket: in.Bucket, key: in.Key,
		header: conditions("", in.IfMatch)}
}

// CopyObjectInput is an object to write as a copy of another, on the
// server (the bytes do not come to the client).
type CopyObjectInput struct {
	Bucket       string
	Key          string
	SourceBucket string
	SourceKey    string
	// IfNoneMatch "*" copies only if the key has no object.
	IfNoneMatch string
}

// CopyObject copies an object (up to 5 GiB) and returns the copy's
// ETag.
func (c *Client) CopyObject(ctx context.Context, in CopyObjectInput) (string, error) {
	r := copyObjectRequest(in)
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	var res struct {
		XMLName xml.Name `xml:"CopyObjectResult"`
		ETag    string   `xml:"ETag"`
	}
	if err := xml.Unmarshal(resp.body, &res); err != nil {
		return "", badReply(r, err)
	}
	return res.ETag, nil
}

func copyObjectRequest(in CopyObjectInput) *request {
	h := conditions(in.IfNoneMatch, "")
	h.Set("X-Amz-Copy-Source", escape(in.SourceBucket+"/"+in.SourceKey, true))
	return &request{op: "CopyObject", kind: "COPY", method: http.MethodPut, bucket: in.Bucket, key: in.Key, header: h}
}

// CreateBucket creates a bucket in the client's region.
func (c *Client) CreateBucket(ctx context.Context, bucket string) error {
	_, err := c.do(ctx, createBucketRequest(bucket, c.region))
	return err
}

func createBucketRequest(bucket, region string) *request {
	r := &request{op: "CreateBucket", kind: "CREATE-BUCKET", method: http.MethodPut, bucket: bucket}
	if region != DefaultRegion {
		var b strings.Builder
		b.WriteString(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>`)
		xml.EscapeText(&b, []byte(region))
		b.WriteString(`</LocationConstraint></CreateBucketConfiguration>`)
		body := b.String()
		r.body, r.size = strings.NewReader(body), int64(len(body))
	}
	return r
}
