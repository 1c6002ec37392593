package s3api

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClient is a client of endpoint with fixed credentials, short
// backoff, and the given timeout and attempts.
func testClient(t *testing.T, endpoint string, timeout time.Duration, attempts int) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: endpoint, Credentials: Static(Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}),
		Timeout: timeout, Attempts: attempts, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeError writes S3's error document.
func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>test %s</Message></Error>", code, code)
}

// TestClient_Retries: what is retried and how many times; a body is sent
// whole at every attempt, with its hash.
func TestClient_Retries(t *testing.T) {
	type reply struct {
		status int
		code   string
	}
	for _, c := range []struct {
		name     string
		replies  []reply
		attempts int
		status   int // of the error; 0 for success
	}{
		{"503 then success", []reply{{503, "SlowDown"}, {503, "ServiceUnavailable"}, {200, ""}}, 3, 0},
		{"500, 502, 504, 429", []reply{{500, "InternalError"}, {502, ""}, {504, ""}, {429, "TooManyRequests"}}, 4, 429},
		{"bounded", []reply{{503, "SlowDown"}, {503, "SlowDown"}, {503, "SlowDown"}, {503, "SlowDown"}, {200, ""}}, 4, 503},
		{"RequestTimeout code", []reply{{400, "RequestTimeout"}, {200, ""}}, 2, 0},
		{"404 once", []reply{{404, "NoSuchKey"}, {200, ""}}, 1, 404},
		{"412 once", []reply{{412, "PreconditionFailed"}, {200, ""}}, 1, 412},
		{"403 once", []reply{{403, "SignatureDoesNotMatch"}, {200, ""}}, 1, 403},
		{"501 once", []reply{{501, "NotImplemented"}, {200, ""}}, 1, 501},
		{"no redirect followed", []reply{{307, "TemporaryRedirect"}, {200, ""}}, 1, 307},
	} {
		t.Run(c.name, func(t *testing.T) {
			payload := strings.Repeat("chime ", 1000)
			sum := sha256.Sum256([]byte(payload))
			var mu sync.Mutex
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				rep := c.replies[n]
				n++
				mu.Unlock()
				if string(body) != payload || r.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) {
					writeError(w, 400, "BadBody")
					return
				}
				if rep.status == 307 {
					w.Header().Set("Location", "/elsewhere")
				}
				if rep.status != 200 {
					writeError(w, rep.status, rep.code)
					return
				}
				w.Header().Set("ETag", `"e"`)
			}))
			defer srv.Close()
			cl := testClient(t, srv.URL, 5*time.Second, 4)
			etag, err := cl.PutObject(context.Background(), PutObjectInput{Bucket: "b", Key: "k", Body: strings.NewReader(payload), Size: int64(len(payload))})
			if n != c.attempts {
				t.Errorf("%d attempts, want %d", n, c.attempts)
			}
			if cl.Counts()["PUT"] != c.attempts {
				t.Errorf("counted %v", cl.Counts())
			}
			if c.status == 0 {
				if err != nil || etag != `"e"` {
					t.Fatalf("got %q, %v", etag, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != c.status || e.Op != "PutObject" || e.Key != "k" {
				t.Fatalf("got %v, want a %d *Error", err, c.status)
			}
		})
	}
}

// TestClient_InvocationHeaders: every attempt of one request carries the
// same amz-sdk-invocation-id and its number in amz-sdk-request; another
// request has another ID; the signature still holds (the headers are
// sent unsigned).
func TestClient_InvocationHeaders(t *testing.T) {
	var mu sync.Mutex
	var ids, reqs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("Amz-Sdk-Invocation-Id"))
		reqs = append(reqs, r.Header.Get("Amz-Sdk-Request"))
		signed := r.Header.Get("Authorization")
		mu.Unlock()
		if strings.Contains(signed, "amz-sdk") {
			writeError(w, 400, "SignedInvocation")
			return
		}
		if len(ids)%3 != 0 {
			writeError(w, 503, "SlowDown")
		}
	}))
	defer srv.Close()
	cl := testClient(t, srv.URL, 5*time.Second, 3)
	for range 2 {
		if _, err := cl.HeadObject(context.Background(), "b", "k"); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"}
	if !slices.Equal(reqs, append(want, want...)) {
		t.Errorf("amz-sdk-request: %q", reqs)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, id := range ids {
		if !uuid.MatchString(id) {
			t.Fatalf("amz-sdk-invocation-id %q is not a UUID", id)
		}
	}
	if ids[0] != ids[1] || ids[1] != ids[2] || ids[3] != ids[4] || ids[4] != ids[5] || ids[0] == ids[3] {
		t.Errorf("amz-sdk-invocation-id: %q, want one per request", ids)
	}
}

// TestClient_Timeout: a server that never answers, or stops sending a
// body midway, costs each attempt the timeout of silence, and the
// attempts are bounded: never a hang.
func TestClient_Timeout(t *testing.T) {
	for _, stall := range []string{"reply", "body"} {
		t.Run(stall, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if stall == "body" {
					w.Header().Set("Content-Length", "10")
					w.Write([]byte("12345"))
					w.(http.Flusher).Flush()
				}
				<-r.Context().Done() // until the client gives up
			}))
			defer srv.Close()
			cl := testClient(t, srv.URL, 200*time.Millisecond, 3)
			start := time.Now()
			_, err := cl.GetObject(context.Background(), GetObjectInput{Bucket: "b", Key: "k"})
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
			var re *RequestError
			var ne net.Error
			if !errors.As(err, &re) || !errors.As(err, &ne) || !ne.Timeout() || n.Load() != 3 {
				t.Fatalf("got %v after %d attempts, want a timeout after 3", err, n.Load())
			}
		})
	}
}

// TestClient_SlowTransfer: a body that takes many times the timeout to
// come, but never stops for as long, is read whole at the first attempt.
func TestClient_SlowTransfer(t *testing.T) {
	const chunks = 20
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Length", fmt.Sprint(chunks*100))
		for range chunks {
			w.Write([]byte(strings.Repeat("x", 100)))
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	}))
	defer srv.Close()
	cl := testClient(t, srv.URL, 300*time.Millisecond, 1)
	start := time.Now()
	out, err := cl.GetObject(context.Background(), GetObjectInput{Bucket: "b", Key: "k"})
	if err != nil || len(out.Body) != chunks*100 || n.Load() != 1 {
		t.Fatalf("got %d bytes, %v, after %d attempts", len(out.Body), err, n.Load())
	}
	if d := time.Since(start); d < 3*300*time.Millisecond {
		t.Fatalf("the transfer took %v: not longer than the timeout, the test shows nothing", d)
	}
}

// TestClient_ShortBody: a body cut short is fetched again.
func TestClient_ShortBody(t *testing.T) {
	data := strings.Repeat("0123456789", 100)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.Header().Set("ETag", `"v"`)
		if n.Add(1) == 1 {
			w.Write([]byte(data[:300]))
			panic(http.ErrAbortHandler) // the connection drops
		}
		w.Write([]byte(data))
	}))
	defer srv.Close()
	cl := testClient(t, srv.URL, 5*time.Second, 4)
	out, err := cl.GetObject(context.Background(), GetObjectInput{Bucket: "b", Key: "k"})
	if err != nil || string(out.Body) != data || out.ETag != `"v"` || n.Load() != 2 {
		t.Fatalf("got %d bytes, %v, after %d attempts", len(out.Body), err, n.Load())
	}
}

// TestClient_NetworkErrors: connections refused or dropped are retried,
// a bounded number of times, and then a *RequestError.
func TestClient_NetworkErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	addr := l.Addr().String()
	cl := testClient(t, "http://"+addr, 5*time.Second, 3)
	_, err = cl.ListObjectsV2(context.Background(), ListObjectsV2Input{Bucket: "b"})
	var re *RequestError
	if !errors.As(err, &re) || n.Load() != 3 || !retryable(err) {
		t.Fatalf("dropped: %v after %d attempts", err, n.Load())
	}
	l.Close()
	_, err = cl.ListObjectsV2(context.Background(), ListObjectsV2Input{Bucket: "b"})
	var oe *net.OpError
	if !errors.As(err, &oe) || cl.Counts()["LIST"] != 6 {
		t.Fatalf("refused: %v, %v", err, cl.Counts())
	}
}

// TestClient_Skew: a server whose clock is an hour ahead refuses the
// first signature, and its Date corrects the client's clock.
func TestClient_Skew(t *testing.T) {
	ahead := time.Hour
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		now := time.Now().Add(ahead)
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		signed, err := time.Parse(amzDate, r.Header.Get("X-Amz-Date"))
		if err != nil || signed.Sub(now).Abs() > 15*time.Minute {
			writeError(w, 403, "RequestTimeTooSkewed")
			return
		}
	}))
	defer srv.Close()
	cl := testClient(t, srv.URL, 5*time.Second, 4)
	for i := range 3 {
		if err := cl.HeadBucket(context.Background(), "b"); err != nil {
			t.Fatal(err)
		}
		if want := int32(i + 2); n.Load() != want {
			t.Fatalf("%d requests after %d calls, want %d", n.Load(), i+1, want)
		}
	}
	now, ok := cl.ServerNow()
	if d := now.Sub(time.Now().Add(ahead)).Abs(); !ok || d > 5*time.Second {
		t.Fatalf("ServerNow %v, %v off the server's clock", now, d)
	}
}

// TestClient_Operations: each operation's request and reading of the
// reply, against a fake server that checks what it is sent.
func TestClient_Operations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case r.Method == "POST" && q.Has("uploads"):
			io.WriteString(w, "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>U1</UploadId></InitiateMultipartUploadResult>")
		case r.Method == "PUT" && q.Get("uploadId") == "U1":
			w.Header().Set("ETag", `"p`+q.Get("partNumber")+`"`)
		case r.Method == "POST" && q.Get("uploadId") == "U1":
			body, _ := io.ReadAll(r.Body)
			want := `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&#34;p1&#34;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>&#34;p2&#34;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`
			if string(body) != want || r.Header.Get("If-None-Match") != "*" {
				writeError(w, 400, "MalformedXML")
				return
			}
			io.WriteString(w, `<CompleteMultipartUploadResult><ETag>"m-2"</ETag></CompleteMultipartUploadResult>`)
		case r.Method == "DELETE" && q.Get("uploadId") == "U1":
			w.WriteHeader(204)
		case r.Method == "GET" && q.Has("uploads"):
			io.WriteString(w, listUploadsPage)
		case r.Method == "GET" && q.Get("list-type") == "2":
			io.WriteString(w, listPage)
		case r.Method == "HEAD":
			w.Header().Set("ETag", `"h"`)
			w.Header().Set("Content-Length", "1234")
			w.Header().Set("Last-Modified", "Mon, 09 Nov 2026 12:00:00 GMT")
		case r.Method == "GET":
			if r.Header.Get("Range") != "bytes=-4" || r.Header.Get("If-Match") != `"g"` {
				writeError(w, 412, "PreconditionFailed")
				return
			}
			w.Header().Set("ETag", `"g"`)
			w.Header().Set("Content-Range", "bytes 6-9/10")
			w.WriteHeader(206)
			io.WriteString(w, "6789")
		case r.Method == "DELETE":
			if r.Header.Get("If-Match") != `"d"` {
				writeError(w, 412, "PreconditionFailed")
				return
			}
			w.WriteHeader(204)
		}
	}))
	defer srv.Close()
	cl := testClient(t, srv.URL, 5*time.Second, 1)
	ctx := context.Background()
	id, err := cl.CreateMultipartUpload(ctx, "b", "k")
	check(t, "create upload", err, id == "U1")
	var parts []Part
	for i := 1; i <= 2; i++ {
		etag, err := cl.UploadPart(ctx, UploadPartInput{Bucket: "b", Key: "k", UploadID: id, PartNumber: i, Body: strings.NewReader("part"), Size: 4})
		check(t, "upload part", err, etag == fmt.Sprintf(`"p%d"`, i))
		parts = append(parts, Part{Number: i, ETag: etag})
	}
	etag, err := cl.CompleteMultipartUpload(ctx, CompleteMultipartUploadInput{Bucket: "b", Key: "k", UploadID: id, Parts: parts, IfNoneMatch: "*"})
	check(t, "complete", err, etag == `"m-2"`)
	check(t, "abort", cl.AbortMultipartUpload(ctx, "b", "k", id), true)
	ups, err := cl.ListMultipartUploads(ctx, ListMultipartUploadsInput{Bucket: "b"})
	check(t, "list uploads", err, err == nil && len(ups.Uploads) == 2)
	page, err := cl.ListObjectsV2(ctx, ListObjectsV2Input{Bucket: "b"})
	check(t, "list", err, err == nil && len(page.Contents) == 2 && page.IsTruncated)
	info, err := cl.HeadObject(ctx, "b", "k")
	check(t, "head", err, info.ETag == `"h"` && info.Size == 1234 && info.LastModified.Equal(time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC)))
	out, err := cl.GetObject(ctx, GetObjectInput{Bucket: "b", Key: "k", Range: "bytes=-4", IfMatch: `"g"`})
	check(t, "get", err, err == nil && string(out.Body) == "6789" && out.ContentRange == "bytes 6-9/10")
	_, err = cl.GetObject(ctx, GetObjectInput{Bucket: "b", Key: "k", Range: "bytes=-4", IfMatch: `"other"`})
	check(t, "get pinned elsewhere", nil, StatusOf(err) == 412 && CodeOf(err) == "PreconditionFailed")
	check(t, "delete", cl.DeleteObject(ctx, DeleteObjectInput{Bucket: "b", Key: "k", IfMatch: `"d"`}), true)
	want := map[string]int{"CREATE-UPLOAD": 1, "PUT-PART": 2, "COMPLETE-UPLOAD": 1, "ABORT-UPLOAD": 1, "LIST-UPLOADS": 1, "LIST": 1, "HEAD": 1, "GET": 2, "DELETE": 1}
	if got := cl.Counts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
}

func check(t *testing.T, what string, err error, ok bool) {
	t.Helper()
	if err != nil || !ok {
		t.Errorf("%s: %v", what, err)
	}
}

// TestClient_CABundle: a bundle's certificates are trusted, in place of
// the system's; a certificate not trusted fails at once, unretried.
func TestClient_CABundle(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	creds := Static(Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"})
	cl, err := New(Config{Endpoint: srv.URL, Credentials: creds, CABundle: bundle})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.HeadBucket(context.Background(), "b"); err != nil || n.Load() != 1 {
		t.Fatalf("with the bundle: %v", err)
	}
	untrusted, err := New(Config{Endpoint: srv.URL, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	err = untrusted.HeadBucket(context.Background(), "b")
	var ce *tls.CertificateVerificationError
	if !errors.As(err, &ce) || untrusted.Counts()["HEAD"] != 1 {
		t.Fatalf("without the bundle: %v after %v", err, untrusted.Counts())
	}
	os.WriteFile(bundle, []byte("not PEM"), 0o600)
	if _, err := New(Config{Endpoint: srv.URL, Credentials: creds, CABundle: bundle}); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Fatalf("a bundle without certificates: %v", err)
	}
}
