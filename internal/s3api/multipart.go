package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A multipart upload: Create fixes the key and returns the upload's ID,
// UploadPart sends the parts (in any order, in parallel), Complete joins
// them into the object, under its conditions, or Abort drops them.
// ListMultipartUploads finds the uploads neither completed nor aborted.

// CreateMultipartUpload starts an upload to key and returns its ID.
func (c *Client) CreateMultipartUpload(ctx context.Context, bucket, key string) (string, error) {
	r := createUploadRequest(bucket, key)
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	var res struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		UploadID string   `xml:"UploadId"`
	}
	if err := xml.Unmarshal(resp.body, &res); err != nil {
		return "", badReply(r, err)
	}
	if res.UploadID == "" {
		return "", badReply(r, errors.New("no UploadId"))
	}
	return res.UploadID, nil
}

func createUploadRequest(bucket, key string) *request {
	return &request{op: "CreateMultipartUpload", kind: "CREATE-UPLOAD", method: http.MethodPost, bucket: bucket, key: key,
		query: url.Values{"uploads": {""}}}
}

// UploadPartInput is one part of an upload.
type UploadPartInput struct {
	Bucket   string
	Key      string
	UploadID string
	// PartNumber is from 1 to 10,000; each part but the last is at least
	// 5 MiB.
	PartNumber int
	// Body holds the part's Size bytes from offset 0 (an
	// io.SectionReader of a spool), read again at each attempt.
	Body io.ReaderAt
	Size int64
}

// UploadPart sends a part and returns its ETag, which Complete names.
func (c *Client) UploadPart(ctx context.Context, in UploadPartInput) (string, error) {
	resp, err := c.do(ctx, uploadPartRequest(in))
	if err != nil {
		return "", err
	}
	return resp.header.Get("ETag"), nil
}

func uploadPartRequest(in UploadPartInput) *request {
	return &request{op: "UploadPart", kind: "PUT-PART", method: http.MethodPut, bucket: in.Bucket, key: in.Key,
		query: url.Values{"partNumber": {strconv.Itoa(in.PartNumber)}, "uploadId": {in.UploadID}},
		body:  in.Body, size: in.Size, object: true}
}

// Part is an uploaded part, as Complete names it.
type Part struct {
	Number int
	ETag   string
}

// CompleteMultipartUploadInput is an upload to complete.
type CompleteMultipartUploadInput struct {
	Bucket   string
	Key      string
	UploadID string
	Parts    []Part // in increasing order of Number
	// IfNoneMatch "*" completes only if the key has no object: the
	// condition applies here, not when the upload starts.
	IfNoneMatch string
	// IfMatch completes only if the key's object has this ETag.
	IfMatch string
}

// CompleteMultipartUpload joins the parts into the object and returns
// its ETag. A condition that does not hold is a 412 *Error; the upload
// then stays, for Abort.
func (c *Client) CompleteMultipartUpload(ctx context.Context, in CompleteMultipartUploadInput) (string, error) {
	r := completeRequest(in)
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	var res struct {
		XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
		ETag    string   `xml:"ETag"`
	}
	if err := xml.Unmarshal(resp.body, &res); err != nil {
		return "", badReply(r, err)
	}
	return res.ETag, nil
}

func completeRequest(in CompleteMultipartUploadInput) *request {
	var b strings.Builder
	b.WriteString(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for _, p := range in.Parts {
		b.WriteString("<Part><ETag>")
		xml.EscapeText(&b, []byte(p.ETag))
		b.WriteString("</ETag><PartNumber>" + strconv.Itoa(p.Number) + "</PartNumber></Part>")
	}
	b.WriteString("</CompleteMultipartUpload>")
	body := b.String()
	return &request{op: "CompleteMultipartUpload", kind: "COMPLETE-UPLOAD", method: http.MethodPost,
		bucket: in.Bucket, key: in.Key, query: url.Values{"uploadId": {in.UploadID}},
		header: conditions(in.IfNoneMatch, in.IfMatch), body: strings.NewReader(body), size: int64(len(body))}
}

// AbortMultipartUpload drops an upload and its parts.
func (c *Client) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	_, err := c.do(ctx, abortRequest(bucket, key, uploadID))
	return err
}

func abortRequest(bucket, key, uploadID string) *request {
	return &request{op: "AbortMultipartUpload", kind: "ABORT-UPLOAD", method: http.MethodDelete,
		bucket: bucket, key: key, query: url.Values{"uploadId": {uploadID}}}
}

// ListMultipartUploadsInput is one page of a bucket's incomplete
// uploads to read.
type ListMultipartUploadsInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	// KeyMarker and UploadIDMarker are the previous page's NextKeyMarker
	// and NextUploadIDMarker.
	KeyMarker      string
	UploadIDMarker string
	// MaxUploads bounds the page; 0 is the server's default (1,000).
	MaxUploads int
}

// ListMultipartUploadsOutput is one page of incomplete uploads.
type ListMultipartUploadsOutput struct {
	Uploads            []Upload
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// Upload is an incomplete multipart upload.
type Upload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// ListMultipartUploads reads one page of a bucket's incomplete uploads.
func (c *Client) ListMultipartUploads(ctx context.Context, in ListMultipartUploadsInput) (*ListMultipartUploadsOutput, error) {
	r := listUploadsRequest(in)
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return parseListUploads(r, resp.body)
}

func listUploadsRequest(in ListMultipartUploadsInput) *request {
	q := url.Values{"uploads": {""}}
	setIf(q, "prefix", in.Prefix)
	setIf(q, "delimiter", in.Delimiter)
	setIf(q, "key-marker", in.KeyMarker)
	setIf(q, "upload-id-marker", in.UploadIDMarker)
	if in.MaxUploads > 0 {
		q.Set("max-uploads", strconv.Itoa(in.MaxUploads))
	}
	return &request{op: "ListMultipartUploads", kind: "LIST-UPLOADS", method: http.MethodGet, bucket: in.Bucket, query: q}
}

// listUploadsResult is the XML of a ListMultipartUploads page.
type listUploadsResult struct {
	XMLName xml.Name `xml:"ListMultipartUploadsResult"`
	Uploads []struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiated string `xml:"Initiated"`
	} `xml:"Upload"`
	IsTruncated        bool   `xml:"IsTruncated"`
	NextKeyMarker      string `xml:"NextKeyMarker"`
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
}

func parseListUploads(r *request, body []byte) (*ListMultipartUploadsOutput, error) {
	var res listUploadsResult
	if err := xml.Unmarshal(body, &res); err != nil {
		return nil, badReply(r, err)
	}
	out := &ListMultipartUploadsOutput{IsTruncated: res.IsTruncated, NextKeyMarker: res.NextKeyMarker, NextUploadIDMarker: res.NextUploadIDMarker}
	for _, u := range res.Uploads {
		t, err := parseTime(u.Initiated)
		if err != nil {
			return nil, badReply(r, err)
		}
		out.Uploads = append(out.Uploads, Upload{Key: u.Key, UploadID: u.UploadID, Initiated: t})
	}
	if out.IsTruncated && out.NextKeyMarker == "" && out.NextUploadIDMarker == "" {
		return nil, badReply(r, errors.New("a truncated page without markers"))
	}
	return out, nil
}
