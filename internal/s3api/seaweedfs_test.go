package s3api_test

// The client against a real S3 server (SeaweedFS, see internal/s3test),
// which verifies every signature: keys of every character, conditions,
// ranges, paged listings, multipart uploads, and the server's errors.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/internal/s3test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.StopShared()
	os.Exit(code)
}

// oddKey has every kind of character a path or a signature encodes.
const oddKey = "db/tx 1+2=3&4?5#6%7;8:9@a,b$c!d*e'f(g)h[i]j~k_l-m.n/ü/日本/~x"

func setup(t *testing.T) (*s3api.Client, string) {
	t.Helper()
	srv := s3test.Shared(t)
	return srv.Client(), srv.Bucket(t)
}

func put(t *testing.T, c *s3api.Client, in s3api.PutObjectInput, body string) (string, error) {
	t.Helper()
	in.Body, in.Size = strings.NewReader(body), int64(len(body))
	return c.PutObject(context.Background(), in)
}

// TestSeaweedFS_Objects: writes under conditions, pinned and ranged
// reads, HEAD and DELETE, of keys with every kind of character.
func TestSeaweedFS_Objects(t *testing.T) {
	c, b := setup(t)
	ctx := context.Background()
	for _, key := range []string{"db/main", oddKey} {
		t.Run(key, func(t *testing.T) {
			etag, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: key, IfNoneMatch: "*"}, "0123456789")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: key, IfNoneMatch: "*"}, "other"); s3api.StatusOf(err) != 412 {
				t.Fatalf("a second create: %v, want 412", err)
			}
			if _, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: key, IfMatch: `"00000000000000000000000000000000"`}, "other"); s3api.StatusOf(err) != 412 {
				t.Fatalf("If-Match on a wrong ETag: %v, want 412", err)
			}
			info, err := c.HeadObject(ctx, b, key)
			if err != nil || info.Size != 10 || (etag != "" && info.ETag != etag) || time.Since(info.LastModified) > time.Hour {
				t.Fatalf("head: %+v, %v (put said %s)", info, err, etag)
			}
			etag = info.ETag
			out, err := c.GetObject(ctx, s3api.GetObjectInput{Bucket: b, Key: key, Range: "bytes=-4", IfMatch: etag})
			if err != nil || string(out.Body) != "6789" || out.ContentRange != "bytes 6-9/10" || out.ETag != etag {
				t.Fatalf("tail: %+v, %v", out, err)
			}
			out, err = c.GetObject(ctx, s3api.GetObjectInput{Bucket: b, Key: key, Range: "bytes=2-4"})
			if err != nil || string(out.Body) != "234" {
				t.Fatalf("range: %+v, %v", out, err)
			}
			if _, err := c.GetObject(ctx, s3api.GetObjectInput{Bucket: b, Key: key, IfMatch: `"0123"`}); s3api.StatusOf(err) != 412 {
				t.Fatalf("a read pinned to another ETag: %v, want 412", err)
			}
			next, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: key, IfMatch: etag}, "renewed")
			if err != nil {
				t.Fatalf("If-Match on the ETag: %v", err)
			}
			if next == "" {
				info, _ := c.HeadObject(ctx, b, key)
				next = info.ETag
			}
			if err := c.DeleteObject(ctx, s3api.DeleteObjectInput{Bucket: b, Key: key, IfMatch: etag}); s3api.StatusOf(err) != 412 {
				t.Fatalf("a delete If-Match on the old ETag: %v, want 412", err)
			}
			if err := c.DeleteObject(ctx, s3api.DeleteObjectInput{Bucket: b, Key: key, IfMatch: next}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.HeadObject(ctx, b, key); s3api.StatusOf(err) != 404 || s3api.CodeOf(err) != "NotFound" {
				t.Fatalf("head of a deleted object: %v", err)
			}
			if _, err := c.GetObject(ctx, s3api.GetObjectInput{Bucket: b, Key: key}); s3api.CodeOf(err) != "NoSuchKey" {
				t.Fatalf("get of a deleted object: %v", err)
			}
		})
	}
	if _, ok := c.ServerNow(); !ok {
		t.Fatal("no Date seen")
	}
}

// TestSeaweedFS_Copy: a copy on the server, from a key of every kind of
// character, create-if-absent (a second copy to the key gets 412).
func TestSeaweedFS_Copy(t *testing.T) {
	c, b := setup(t)
	ctx := context.Background()
	if _, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: oddKey}, "original bytes"); err != nil {
		t.Fatal(err)
	}
	etag, err := c.CopyObject(ctx, s3api.CopyObjectInput{Bucket: b, Key: "aside/" + oddKey, SourceBucket: b, SourceKey: oddKey, IfNoneMatch: "*"})
	if err != nil || etag == "" {
		t.Fatalf("copy: %q, %v", etag, err)
	}
	out, err := c.GetObject(ctx, s3api.GetObjectInput{Bucket: b, Key: "aside/" + oddKey})
	if err != nil || string(out.Body) != "original bytes" {
		t.Fatalf("the copy reads %q, %v", out.Body, err)
	}
	_, err = c.CopyObject(ctx, s3api.CopyObjectInput{Bucket: b, Key: "aside/" + oddKey, SourceBucket: b, SourceKey: oddKey, IfNoneMatch: "*"})
	if s3api.StatusOf(err) != 412 {
		t.Fatalf("a second copy to one key, create-if-absent: %v, want 412", err)
	}
	if _, err := c.CopyObject(ctx, s3api.CopyObjectInput{Bucket: b, Key: "x", SourceBucket: b, SourceKey: "no such key"}); s3api.CodeOf(err) != "NoSuchKey" {
		t.Fatalf("a copy of a missing object: %v", err)
	}
	if n := c.Counts()["COPY"]; n != 3 {
		t.Fatalf("counted %d copies", n)
	}
}

// TestSeaweedFS_List: a listing in pages of 2, with "directories".
func TestSeaweedFS_List(t *testing.T) {
	c, b := setup(t)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		key := fmt.Sprintf("db/tx.%d", i)
		if i == 3 {
			key = "db/" + strings.ReplaceAll(strings.TrimPrefix(oddKey, "db/"), "/", " ") // not a "directory"
		}
		want = append(want, key)
		if _, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: key}, strings.Repeat("x", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"db/sub/a", "db/sub/b", "other/x", "db2/y"} {
		if _, err := put(t, c, s3api.PutObjectInput{Bucket: b, Key: k}, "x"); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want)
	var got, dirs []string
	pages := 0
	in := s3api.ListObjectsV2Input{Bucket: b, Prefix: "db/", Delimiter: "/", MaxKeys: 2}
	for {
		page, err := c.ListObjectsV2(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Contents {
			got = append(got, o.Key)
			if o.ETag == "" || o.LastModified.IsZero() {
				t.Errorf("listed %+v", o)
			}
		}
		dirs = append(dirs, page.CommonPrefixes...)
		if !page.IsTruncated {
			break
		}
		in.ContinuationToken = page.NextContinuationToken
	}
	if !slices.Equal(got, want) || !slices.Equal(dirs, []string{"db/sub/"}) || pages < 4 {
		t.Fatalf("listed %q and %q in %d pages, want %q and db/sub/", got, dirs, pages, want)
	}
}

// TestSeaweedFS_Multipart: parts in any order make the object; Complete
// under If-None-Match: * on a taken key gets 412 and leaves the upload
// to abort; incomplete uploads are listed, and gone once aborted.
func TestSeaweedFS_Multipart(t *testing.T) {
	c, b := setup(t)
	ctx := context.Background()
	data := make([]byte, 5<<20+1234)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	upload := func(key string) (string, []s3api.Part) {
		id, err := c.CreateMultipartUpload(ctx, b, key)
		if err != nil {
			t.Fatal(err)
		}
		parts := make([]s3api.Part, 2)
		for _, i := range []int{1, 0} {
			lo, hi := i*(5<<20), min((i+1)*(5<<20), len(data))
			etag, err := c.UploadPart(ctx, s3api.UploadPartInput{Bucket: b, Key: key, UploadID: id, PartNumber: i + 1,
				Body: bytes.NewReader(data[lo:hi]), Size: int64(hi - lo)})
			if err != nil {
				t.Fatal(err)
			}
			parts[i] = s3api.Part{Number: i + 1, ETag: etag}
		}
		return id, parts
	}
	id, parts := upload(oddKey)
	if _, err := c.CompleteMultipartUpload(ctx, s3api.CompleteMultipartUploadInput{Bucket: b, Key: oddKey, UploadID: id, Parts: parts, IfNoneMatch: "*"}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, s3api.GetObjectInput{Bucket: b, Key: oddKey})
	if err != nil || !bytes.Equal(out.Body, data) {
		t.Fatalf("read back: %v, equal %v", err, err == nil && bytes.Equal(out.Body, data))
	}
	id2, parts2 := upload(oddKey)
	_, err = c.CompleteMultipartUpload(ctx, s3api.CompleteMultipartUploadInput{Bucket: b, Key: oddKey, UploadID: id2, Parts: parts2, IfNoneMatch: "*"})
	if s3api.StatusOf(err) != 412 {
		t.Fatalf("complete on a taken key: %v, want 412", err)
	}
	id3, _ := upload("db/other")
	var listed []string
	in := s3api.ListMultipartUploadsInput{Bucket: b, MaxUploads: 1}
	for {
		page, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Uploads {
			listed = append(listed, u.UploadID)
			if time.Since(u.Initiated).Abs() > time.Hour {
				t.Errorf("initiated %v", u.Initiated)
			}
		}
		if !page.IsTruncated {
			break
		}
		in.KeyMarker, in.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
	slices.Sort(listed)
	want := []string{id2, id3}
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("listed uploads %q, want %q", listed, want)
	}
	for _, u := range []struct{ key, id string }{{oddKey, id2}, {"db/other", id3}} {
		if err := c.AbortMultipartUpload(ctx, b, u.key, u.id); err != nil {
			t.Fatal(err)
		}
	}
	page, err := c.ListMultipartUploads(ctx, s3api.ListMultipartUploadsInput{Bucket: b})
	if err != nil || len(page.Uploads) != 0 {
		t.Fatalf("after the aborts: %+v, %v", page, err)
	}
}

// TestSeaweedFS_Errors: the server's refusals, as codes.
func TestSeaweedFS_Errors(t *testing.T) {
	srv := s3test.Shared(t)
	c, b := setup(t)
	ctx := context.Background()
	if _, err := c.ListObjectsV2(ctx, s3api.ListObjectsV2Input{Bucket: "no-such-bucket-s3api"}); s3api.CodeOf(err) != "NoSuchBucket" {
		t.Errorf("a missing bucket: %v", err)
	}
	for _, creds := range []s3api.Credentials{
		{AccessKeyID: s3test.AccessKey, SecretAccessKey: "wrong"},
		{AccessKeyID: "nobody", SecretAccessKey: s3test.SecretKey},
	} {
		bad, err := s3api.New(s3api.Config{Endpoint: srv.Endpoint, Credentials: s3api.Static(creds)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = bad.ListObjectsV2(ctx, s3api.ListObjectsV2Input{Bucket: b})
		if code := s3api.CodeOf(err); s3api.StatusOf(err) != 403 || code != "SignatureDoesNotMatch" && code != "InvalidAccessKeyId" {
			t.Errorf("credentials %s: %v", creds.AccessKeyID, err)
		}
		if n := bad.Counts()["LIST"]; n != 1 {
			t.Errorf("a refused signature sent %d times", n)
		}
	}
}

// TestSeaweedFS_IMDS: credentials from an instance metadata service sign
// requests the server accepts.
func TestSeaweedFS_IMDS(t *testing.T) {
	srv := s3test.Shared(t)
	_, b := setup(t)
	md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/latest/api/token":
			w.Write([]byte("t"))
		case "/latest/meta-data/iam/security-credentials/":
			w.Write([]byte("role"))
		case "/latest/meta-data/iam/security-credentials/role":
			fmt.Fprintf(w, `{"Code":"Success","AccessKeyId":%q,"SecretAccessKey":%q,"Expiration":%q}`,
				s3test.AccessKey, s3test.SecretKey, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		}
	}))
	defer md.Close()
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", md.URL)
	cfg, err := s3api.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	c, err := s3api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListObjectsV2(context.Background(), s3api.ListObjectsV2Input{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	if err := c.HeadBucket(context.Background(), "no-such-bucket-s3api"); s3api.StatusOf(err) != 404 {
		t.Fatalf("head of a missing bucket: %v", err)
	}
}
