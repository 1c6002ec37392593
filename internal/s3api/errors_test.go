package s3api

import (
	"net/http"
	"strings"
	"testing"
)

func TestReplyError(t *testing.T) {
	r := &request{op: "GetObject", bucket: "b", key: "db/main", region: "us-east-1"}
	for _, c := range []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
		line   string
	}{
		{"S3's document", 404, nil,
			`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>db/main</Key><RequestId>R1</RequestId></Error>`,
			Error{Status: 404, Code: "NoSuchKey", Message: "The specified key does not exist.", RequestID: "R1"},
			"GetObject s3://b/db/main: 404 NoSuchKey: The specified key does not exist."},
		{"a reply to HEAD", 412, http.Header{"X-Amz-Request-Id": {"R2"}}, "",
			Error{Status: 412, Code: "PreconditionFailed", Message: "Precondition Failed", RequestID: "R2"},
			"GetObject s3://b/db/main: 412 PreconditionFailed: Precondition Failed"},
		{"a proxy's page", 502, nil, "<html><body>Bad gateway\n</body></html>",
			Error{Status: 502, Code: "BadGateway", Message: "Bad Gateway"},
			"GetObject s3://b/db/main: 502 BadGateway: Bad Gateway"},
		{"a status without a name", 599, nil, "",
			Error{Status: 599, Code: "HTTP599", Message: "no message"},
			"GetObject s3://b/db/main: 599 HTTP599: no message"},
		{"another region", 301, http.Header{"X-Amz-Bucket-Region": {"eu-west-1"}},
			"<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>",
			Error{Status: 301, Code: "PermanentRedirect", Message: "The bucket you are attempting to access must be addressed using the specified endpoint.", Region: "eu-west-1"},
			"GetObject s3://b/db/main: 301 PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint. (the bucket is in region eu-west-1: set AWS_REGION=eu-west-1)"},
		{"the region of the request", 400, nil,
			"<Error><Code>AuthorizationHeaderMalformed</Code><Message>bad\n  region</Message><Region>us-east-1</Region></Error>",
			Error{Status: 400, Code: "AuthorizationHeaderMalformed", Message: "bad region"},
			"GetObject s3://b/db/main: 400 AuthorizationHeaderMalformed: bad region"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := c.header
			if h == nil {
				h = http.Header{}
			}
			got := replyError(r, c.status, h, []byte(c.body))
			c.want.Op, c.want.Bucket, c.want.Key = r.op, r.bucket, r.key
			if *got != c.want {
				t.Errorf("got %+v\nwant %+v", *got, c.want)
			}
			if got.Error() != c.line {
				t.Errorf("Error() = %q\nwant %q", got.Error(), c.line)
			}
		})
	}
}

// TestErrorIn200: CompleteMultipartUpload's 200 may carry an error,
// which is then a 5xx (retried), or a 412 for a condition.
func TestErrorIn200(t *testing.T) {
	r := &request{op: "CompleteMultipartUpload", bucket: "b", key: "k"}
	for _, c := range []struct {
		body   string
		status int
	}{
		{"<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>", 0},
		{"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>", 500},
		{"<Error><Code>PreconditionFailed</Code><Message>At least one of the preconditions you specified did not hold</Message></Error>", 412},
		{"", 0},
	} {
		e := errorIn200(r, http.Header{}, []byte(c.body))
		if (e == nil) != (c.status == 0) || e != nil && e.Status != c.status {
			t.Errorf("%q: got %+v, want status %d", c.body, e, c.status)
		}
		if e != nil && !retryable(e) != (c.status == 412) {
			t.Errorf("%q: retryable %v", c.body, retryable(e))
		}
	}
}

// FuzzReplyError: any reply makes an error of one line with a code.
func FuzzReplyError(f *testing.F) {
	f.Add(404, "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>", "")
	f.Add(301, "<Error><Code>PermanentRedirect</Code><Region>x\ny</Region></Error>", "eu-west-1")
	f.Add(500, "<html>", "")
	r := &request{op: "GetObject", bucket: "b", key: "k", region: "us-east-1"}
	f.Fuzz(func(t *testing.T, status int, body, region string) {
		e := replyError(r, status, http.Header{"X-Amz-Bucket-Region": {region}}, []byte(body))
		if e.Code == "" || e.Message == "" || strings.ContainsAny(e.Error(), "\r\n") {
			t.Fatalf("%+v: %q", e, e.Error())
		}
		errorIn200(r, http.Header{}, []byte(body))
	})
}
