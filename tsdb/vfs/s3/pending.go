package s3

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// Create starts an object spooled to a local temporary file: a multipart
// upload's key is fixed when it starts, and the name is known only when
// the commit protocol has chosen it, so the bytes wait locally. Losing
// the race for a name then uploads the spool again under the next; the
// input is never read twice.
func (s *Store) Create() (vfs.Pending, error) {
	if err := s.probe(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "chime-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool an upload: %w", err)
	}
	return &pending{s: s, f: f}, nil
}

// pending is an object being written to its local spool.
type pending struct {
	s    *Store
	f    *os.File
	size int64
}

func (p *pending) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.size += int64(n)
	return n, err
}

// Publish uploads the spool under name if no object has it
// (If-None-Match: *): in one PutObject, or in parts for a large object.
func (p *pending) Publish(name string) error {
	if p.size >= p.s.opts.PartSize {
		return p.s.multipart(name, p.f, p.size)
	}
	in := &awss3.PutObjectInput{
		Bucket:        &p.s.bucket,
		Key:           aws.String(p.s.key(name)),
		Body:          io.NewSectionReader(p.f, 0, p.size),
		ContentLength: aws.Int64(p.size),
		IfNoneMatch:   aws.String("*"),
	}
	ctx, cancel := p.s.ctx()
	defer cancel()
	if _, err := p.s.client.PutObject(ctx, in); err != nil {
		return p.s.publishError(name, err)
	}
	return nil
}

// publishError is a failed create-if-absent: ErrExist for 412 (and for
// 409, a conflicting create in progress); otherwise the outcome is
// unknown, and the caller reads what the name holds.
func (s *Store) publishError(name string, err error) error {
	e := s.failName("publish", name, err)
	if c := status(err); c == 412 || c == 409 && code(err) == "ConditionalRequestConflict" {
		return fmt.Errorf("%w: %w", vfs.ErrExist, e)
	}
	return e
}

// Replace is refused: object storage cannot replace a name atomically.
func (p *pending) Replace(name string) error {
	return fmt.Errorf("replace %s: %w", name, vfs.ErrUnsupported)
}

// Close removes the spool.
func (p *pending) Close() error {
	if p.f == nil {
		return nil
	}
	err := errors.Join(p.f.Close(), os.Remove(p.f.Name()))
	p.f = nil
	return err
}

// multipart uploads size bytes of r under name in parts, Options.Parallel
// of them in flight (memory is bounded: each part streams from the
// spool), then completes the upload with If-None-Match: *, the only step
// where S3 applies a condition. An upload that is not completed is
// aborted; a dead writer's is swept later (see Stale).
func (s *Store) multipart(name string, r io.ReaderAt, size int64) error {
	key := aws.String(s.key(name))
	ctx, cancel := s.ctx()
	up, err := s.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: key})
	cancel()
	if err != nil {
		return s.failName("publish", name, err)
	}
	parts, err := s.uploadParts(key, up.UploadId, r, size)
	if err == nil {
		ctx, cancel := s.ctx()
		_, err = s.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
			Bucket: &s.bucket, Key: key, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
			IfNoneMatch:     aws.String("*"),
		})
		cancel()
		if err == nil {
			return nil
		}
		err = s.publishError(name, err)
	}
	s.abort(*key, up.UploadId) // best effort: after a lost reply, it is gone already
	return err
}

// uploadParts uploads the parts of an upload, several in flight.
func (s *Store) uploadParts(key, id *string, r io.ReaderAt, size int64) ([]types.CompletedPart, error) {
	n := int((size + s.opts.PartSize - 1) / s.opts.PartSize)
	parts := make([]types.CompletedPart, n)
	errs := make([]error, n)
	sem := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			off := int64(i) * s.opts.PartSize
			length := min(s.opts.PartSize, size-off)
			ctx, cancel := s.ctx()
			defer cancel()
			out, err := s.client.UploadPart(ctx, &awss3.UploadPartInput{
				Bucket: &s.bucket, Key: key, UploadId: id, PartNumber: aws.Int32(int32(i + 1)),
				Body: io.NewSectionReader(r, off, length), ContentLength: aws.Int64(length),
			})
			if err != nil {
				errs[i] = s.failName("upload part", *key, err)
				return
			}
			parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))}
		}()
	}
	wg.Wait()
	return parts, errors.Join(errs...)
}

// abort aborts an upload; errors are left to the sweep of stale uploads.
func (s *Store) abort(key string, id *string) {
	ctx, cancel := s.ctx()
	defer cancel()
	s.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: id})
}

// Stale names the incomplete multipart uploads under the prefix that
// started more than the grace period ago by the server's clock: writers
// that died (or lost their connection) mid-upload.
func (s *Store) Stale() ([]string, error) {
	ups, err := s.staleUploads()
	var out []string
	for _, u := range ups {
		out = append(out, u.key[len(s.prefix):]+" (incomplete upload "+u.id+")")
	}
	return out, err
}

// RemoveStale aborts the stale uploads.
func (s *Store) RemoveStale() error {
	ups, err := s.staleUploads()
	for _, u := range ups {
		id := u.id
		s.abort(u.key, &id)
	}
	return err
}

type upload struct{ key, id string }

func (s *Store) staleUploads() ([]upload, error) {
	now, err := s.Now()
	if err != nil {
		return nil, err
	}
	in := &awss3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(s.prefix), Delimiter: aws.String("/")}
	var out []upload
	for {
		ctx, cancel := s.ctx()
		page, err := s.client.ListMultipartUploads(ctx, in)
		cancel()
		if err != nil {
			return out, s.fail("list uploads", err)
		}
		for _, u := range page.Uploads {
			if now.Sub(aws.ToTime(u.Initiated)) >= s.opts.Grace {
				out = append(out, upload{aws.ToString(u.Key), aws.ToString(u.UploadId)})
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			return out, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}
