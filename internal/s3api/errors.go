package s3api

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an S3 reply that is not a success: its HTTP status, and the
// code and message of its XML body. A reply without a body (to HEAD) has
// the status's name as its code ("NotFound", "PreconditionFailed").
type Error struct {
	Op        string // the operation: GetObject, PutObject, ...
	Bucket    string
	Key       string // "" for an operation on the bucket
	Status    int
	Code      string // S3's error code: NoSuchBucket, PreconditionFailed, ...
	Message   string
	RequestID string
	// Region is the bucket's region when the reply said it and it is not
	// the one the request was signed for (a bucket in another region).
	Region string

	skewed bool // a 403 that corrected the client's clock: retried
}

// Error says the operation, the object and the reply in one line.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s s3://%s/%s: %d %s: %s", e.Op, e.Bucket, e.Key, e.Status, e.Code, e.Message)
	if e.Region != "" {
		msg += fmt.Sprintf(" (the bucket is in region %s: set AWS_REGION=%s)", e.Region, e.Region)
	}
	return msg
}

// StatusOf is the HTTP status of the reply an error carries, 0 when no
// reply came.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// CodeOf is the S3 error code of the reply an error carries, "" when no
// reply came.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// errorBody is S3's XML error document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	Region    string   `xml:"Region"`
}

// replyError makes an Error of a failed reply and its body, which may be
// empty or not XML (a proxy's page): the status then names it.
func replyError(r *request, status int, h http.Header, body []byte) *Error {
	e := &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Status: status, RequestID: h.Get("X-Amz-Request-Id")}
	var b errorBody
	if xml.Unmarshal(body, &b) == nil {
		// One line each, whatever the server wrote: they end up in one.
		e.Code, e.Message, e.Region = oneLine(b.Code), oneLine(b.Message), oneLine(b.Region)
		e.RequestID = cmp.Or(oneLine(b.RequestID), e.RequestID)
	}
	if e.Code == "" {
		e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
		if e.Code == "" {
			e.Code = fmt.Sprintf("HTTP%d", status)
		}
	}
	if e.Message == "" {
		e.Message = cmp.Or(http.StatusText(status), "no message")
	}
	if region := oneLine(h.Get("X-Amz-Bucket-Region")); region != "" {
		e.Region = region
	}
	if e.Region == r.region {
		e.Region = ""
	}
	return e
}

// errorIn200 reads the error document S3 may send with a 200 status to
// CompleteMultipartUpload and CopyObject (the reply starts before the
// work is done); nil when the body is not one.
func errorIn200(r *request, h http.Header, body []byte) *Error {
	var b errorBody
	if xml.Unmarshal(body, &b) != nil || b.Code == "" {
		return nil
	}
	status := http.StatusInternalServerError // S3's advice: treat it as a 5xx, retried
	if b.Code == "PreconditionFailed" {
		status = http.StatusPreconditionFailed
	}
	return replyError(r, status, h, body)
}

// oneLine makes every run of white space (new lines included) one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
