package s3api

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ListObjectsV2Input is one page of a bucket's listing to read.
type ListObjectsV2Input struct {
	Bucket string
	Prefix string
	// Delimiter groups the keys that continue past it under their
	// common prefix ("/": the "directories").
	Delimiter string
	// ContinuationToken is the previous page's NextContinuationToken.
	ContinuationToken string
	// MaxKeys bounds the page; 0 is the server's default (1,000).
	MaxKeys int
}

// ListObjectsV2Output is one page of a listing.
type ListObjectsV2Output struct {
	Contents              []Object
	CommonPrefixes        []string
	IsTruncated           bool
	NextContinuationToken string
}

// Object is a listed object.
type Object struct {
	Key          string
	ETag         string
	Size         int64
	LastModified time.Time
}

// ListObjectsV2 reads one page of a bucket's listing; a truncated page
// says the token of the next.
func (c *Client) ListObjectsV2(ctx context.Context, in ListObjectsV2Input) (*ListObjectsV2Output, error) {
	r := listObjectsRequest(in)
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return parseListObjects(r, resp.body)
}

func listObjectsRequest(in ListObjectsV2Input) *request {
	q := url.Values{"list-type": {"2"}}
	setIf(q, "prefix", in.Prefix)
	setIf(q, "delimiter", in.Delimiter)
	setIf(q, "continuation-token", in.ContinuationToken)
	if in.MaxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(in.MaxKeys))
	}
	return &request{op: "ListObjectsV2", kind: "LIST", method: http.MethodGet, bucket: in.Bucket, query: q}
}

func setIf(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

// listBucketResult is the XML of a ListObjectsV2 page.
type listBucketResult struct {
	XMLName  xml.Name `xml:"ListBucketResult"`
	Contents []struct {
		Key          string `xml:"Key"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
		LastModified string `xml:"LastModified"`
	} `xml:"Contents"`
	CommonPrefixes []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
	IsTruncated           bool   `xml:"IsTruncated"`
	NextContinuationToken string `xml:"NextContinuationToken"`
}

func parseListObjects(r *request, body []byte) (*ListObjectsV2Output, error) {
	var res listBucketResult
	if err := xml.Unmarshal(body, &res); err != nil {
		return nil, badReply(r, err)
	}
	out := &ListObjectsV2Output{IsTruncated: res.IsTruncated, NextContinuationToken: res.NextContinuationToken}
	for _, o := range res.Contents {
		t, err := parseTime(o.LastModified)
		if err != nil {
			return nil, badReply(r, err)
		}
		out.Contents = append(out.Contents, Object{Key: o.Key, ETag: o.ETag, Size: o.Size, LastModified: t})
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, p.Prefix)
	}
	if out.IsTruncated && out.NextContinuationToken == "" {
		return nil, badReply(r, fmt.Errorf("a truncated page without a continuation token"))
	}
	return out, nil
}

// parseTime parses the ISO 8601 times of S3's XML ("2006-01-02T15:04:05.000Z").
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("a time %q: %w", s, err)
	}
	return t, nil
}

// badReply is a 2xx reply whose body could not be read.
func badReply(r *request, err error) error {
	return fmt.Errorf("%s s3://%s/%s: an unreadable reply: %w", r.op, r.bucket, r.key, err)
}
