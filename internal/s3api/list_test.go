package s3api

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"time"
)

// listPage is a ListObjectsV2 reply as S3 writes it.
const listPage = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>db/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>db/main</Key><LastModified>2026-11-09T12:00:00.000Z</LastModified>
    <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>db/tx.0000000000000001 &amp; ü</Key><LastModified>2026-11-09T12:00:01.5Z</LastModified>
    <ETag>"0123-2"</ETag><Size>1234567890123</Size></Contents>
  <CommonPrefixes><Prefix>db/sub/</Prefix></CommonPrefixes>
  <NextContinuationToken>1/abc+def==</NextContinuationToken>
</ListBucketResult>`

func TestParseListObjects(t *testing.T) {
	r := &request{op: "ListObjectsV2", bucket: "b"}
	got, err := parseListObjects(r, []byte(listPage))
	if err != nil {
		t.Fatal(err)
	}
	want := &ListObjectsV2Output{
		Contents: []Object{
			{Key: "db/main", ETag: `"d41d8cd98f00b204e9800998ecf8427e"`, Size: 0, LastModified: time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC)},
			{Key: "db/tx.0000000000000001 & ü", ETag: `"0123-2"`, Size: 1234567890123, LastModified: time.Date(2026, 11, 9, 12, 0, 1, 5e8, time.UTC)},
		},
		CommonPrefixes:        []string{"db/sub/"},
		IsTruncated:           true,
		NextContinuationToken: "1/abc+def==",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{
		"",
		"<Error><Code>x</Code></Error>",
		strings.Replace(listPage, "2026-11-09T12:00:00.000Z", "yesterday", 1),
		strings.Replace(listPage, "<NextContinuationToken>1/abc+def==</NextContinuationToken>", "", 1),
		strings.Replace(listPage, "<Size>0</Size>", "<Size>many</Size>", 1),
	} {
		if _, err := parseListObjects(r, []byte(bad)); err == nil || !strings.Contains(err.Error(), "ListObjectsV2 s3://b/: an unreadable reply") {
			t.Errorf("%.40q: got %v", bad, err)
		}
	}
}

// listUploadsPage is a ListMultipartUploads reply as S3 writes it.
const listUploadsPage = `<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>db/main.2</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>
  <MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload><Key>db/main.1</Key><UploadId>u1</UploadId><Initiator><ID>x</ID></Initiator>
    <StorageClass>STANDARD</StorageClass><Initiated>2026-11-09T11:00:00.000Z</Initiated></Upload>
  <Upload><Key>db/main.2</Key><UploadId>u2</UploadId><Initiated>2026-11-09T11:30:00Z</Initiated></Upload>
</ListMultipartUploadsResult>`

func TestParseListUploads(t *testing.T) {
	r := &request{op: "ListMultipartUploads", bucket: "b"}
	got, err := parseListUploads(r, []byte(listUploadsPage))
	if err != nil {
		t.Fatal(err)
	}
	want := &ListMultipartUploadsOutput{
		Uploads: []Upload{
			{Key: "db/main.1", UploadID: "u1", Initiated: time.Date(2026, 11, 9, 11, 0, 0, 0, time.UTC)},
			{Key: "db/main.2", UploadID: "u2", Initiated: time.Date(2026, 11, 9, 11, 30, 0, 0, time.UTC)},
		},
		IsTruncated: true, NextKeyMarker: "db/main.2", NextUploadIDMarker: "u2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{
		"<ListBucketResult/>",
		strings.Replace(listUploadsPage, "2026-11-09T11:30:00Z", "", 1),
		strings.Replace(strings.Replace(listUploadsPage, "<NextKeyMarker>db/main.2</NextKeyMarker>", "", 1), "<NextUploadIdMarker>u2</NextUploadIdMarker>", "", 1),
	} {
		if _, err := parseListUploads(r, []byte(bad)); err == nil {
			t.Errorf("%.40q: no error", bad)
		}
	}
}

// formatListObjects writes a page as S3 would.
func formatListObjects(t *testing.T, o *ListObjectsV2Output) []byte {
	var res listBucketResult
	res.IsTruncated, res.NextContinuationToken = o.IsTruncated, o.NextContinuationToken
	for _, c := range o.Contents {
		res.Contents = append(res.Contents, struct {
			Key          string `xml:"Key"`
			ETag         string `xml:"ETag"`
			Size         int64  `xml:"Size"`
			LastModified string `xml:"LastModified"`
		}{c.Key, c.ETag, c.Size, c.LastModified.Format(time.RFC3339Nano)})
	}
	for _, p := range o.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, struct {
			Prefix string `xml:"Prefix"`
		}{p})
	}
	b, err := xml.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseListObjects: no reply panics; what parses, written back,
// parses to the same page.
func FuzzParseListObjects(f *testing.F) {
	f.Add([]byte(listPage))
	f.Add([]byte(listUploadsPage))
	f.Add([]byte("<ListBucketResult><Contents><Key>\x00</Key></Contents></ListBucketResult>"))
	r := &request{op: "ListObjectsV2", bucket: "b"}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseListObjects(r, data)
		parseListUploads(r, data)
		if err != nil {
			return
		}
		again, err := parseListObjects(r, formatListObjects(t, got))
		if err != nil {
			t.Fatalf("written back: %v", err)
		}
		if !samePage(got, again) {
			t.Fatalf("parsed %+v, written back and parsed %+v", got, again)
		}
	})
}

func samePage(a, b *ListObjectsV2Output) bool {
	if len(a.Contents) != len(b.Contents) || !reflect.DeepEqual(a.CommonPrefixes, b.CommonPrefixes) ||
		a.IsTruncated != b.IsTruncated || a.NextContinuationToken != b.NextContinuationToken {
		return false
	}
	for i, o := range a.Contents {
		p := b.Contents[i]
		if o.Key != p.Key || o.ETag != p.ETag || o.Size != p.Size || !o.LastModified.Equal(p.LastModified) {
			return false
		}
	}
	return true
}
