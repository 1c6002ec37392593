package s3

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/chime-tsdb/chime/internal/s3api"
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
	f, path, err := newSpool()
	if err != nil {
		return nil, fmt.Errorf("spool an upload: %w", err)
	}
	return &pending{s: s, f: f, path: path}, nil
}

// namedSpool creates a spool in the temporary directory and unlinks it
// at once where the system allows it: the spool of a killed writer
// vanishes with it, but for one killed between the two calls. Where it
// cannot be unlinked while open (Windows), its path is returned for
// Close to remove.
func namedSpool() (f *os.File, path string, err error) {
	f, err = os.CreateTemp("", "chime-upload-*")
	if err != nil {
		return nil, "", err
	}
	if os.Remove(f.Name()) != nil {
		path = f.Name()
	}
	return f, path, nil
}

// pending is an object being written to its local spool.
type pending struct {
	s    *Store
	f    *os.File
	path string // the spool's name, if it has one still
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
	in := s3api.PutObjectInput{Bucket: p.s.bucket, Key: p.s.key(name), Body: p.f, Size: p.size, IfNoneMatch: "*"}
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
	err := p.f.Close()
	if p.path != "" {
		err = errors.Join(err, os.Remove(p.path))
	}
	p.f = nil
	return err
}

// multipart uploads size bytes of r under name in parts, Options.Parallel
// of them in flight (memory is bounded: each part streams from the
// spool), then completes the upload with If-None-Match: *, the only step
// where S3 applies a condition. An upload that is not completed is
// aborted; a dead writer's is swept later (see Stale).
func (s *Store) multipart(name string, r io.ReaderAt, size int64) error {
	key := s.key(name)
	ctx, cancel := s.ctx()
	id, err := s.client.CreateMultipartUpload(ctx, s.bucket, key)
	cancel()
	if err != nil {
		return s.failName("publish", name, err)
	}
	parts, err := s.uploadParts(key, id, r, size)
	if err == nil {
		ctx, cancel := s.ctx()
		_, err = s.client.CompleteMultipartUpload(ctx, s3api.CompleteMultipartUploadInput{
			Bucket: s.bucket, Key: key, UploadID: id, Parts: parts, IfNoneMatch: "*",
		})
		cancel()
		if err == nil {
			return nil
		}
		err = s.publishError(name, err)
	}
	s.abort(key, id) // best effort: after a lost reply, it is gone already
	return err
}

// uploadParts uploads the parts of an upload, several in flight.
func (s *Store) uploadParts(key, id string, r io.ReaderAt, size int64) ([]s3api.Part, error) {
	n := int((size + s.opts.PartSize - 1) / s.opts.PartSize)
	parts := make([]s3api.Part, n)
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
			etag, err := s.client.UploadPart(ctx, s3api.UploadPartInput{
				Bucket: s.bucket, Key: key, UploadID: id, PartNumber: i + 1,
				Body: io.NewSectionReader(r, off, length), Size: length,
			})
			if err != nil {
				errs[i] = s.failName("upload part", key, err)
				return
			}
			parts[i] = s3api.Part{Number: i + 1, ETag: etag}
		}()
	}
	wg.Wait()
	return parts, errors.Join(errs...)
}

// abort aborts an upload; errors are left to the sweep of stale uploads.
func (s *Store) abort(key, id string) {
	ctx, cancel := s.ctx()
	defer cancel()
	s.client.AbortMultipartUpload(ctx, s.bucket, key, id)
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
		s.abort(u.key, u.id)
	}
	return err
}

type upload struct{ key, id string }

func (s *Store) staleUploads() ([]upload, error) {
	now, err := s.Now()
	if err != nil {
		return nil, err
	}
	in := s3api.ListMultipartUploadsInput{Bucket: s.bucket, Prefix: s.prefix, Delimiter: "/"}
	var out []upload
	for {
		ctx, cancel := s.ctx()
		page, err := s.client.ListMultipartUploads(ctx, in)
		cancel()
		if err != nil {
			return out, s.fail("list uploads", err)
		}
		for _, u := range page.Uploads {
			if now.Sub(u.Initiated) >= s.opts.Grace {
				out = append(out, upload{u.Key, u.UploadID})
			}
		}
		if !page.IsTruncated {
			return out, nil
		}
		in.KeyMarker, in.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}
