package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/internal/s3test"
	"github.com/chime-tsdb/chime/tsdb/vfs"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.StopShared()
	os.Exit(code)
}

func newStore(t *testing.T, o s3.Options) (*s3.Store, *s3test.Server) {
	t.Helper()
	srv := s3test.Shared(t)
	srv.Setenv(t)
	st, err := s3.Open("s3://"+srv.Bucket(t)+"/db", o)
	if err != nil {
		t.Fatal(err)
	}
	return st, srv
}

// TestStore_Canary: N parallel creates of one name, from N stores (as
// from N machines): exactly one succeeds, the others get ErrExist. A
// server that lets two through breaks commit order.
func TestStore_Canary(t *testing.T) {
	st, _ := newStore(t, s3.Options{})
	const n = 16
	for round := range 5 {
		name := "tx.canary" + string(rune('a'+round))
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			other, err := s3.Open(st.String(), s3.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := other.Create()
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			p.Write([]byte{byte(i)})
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = p.Publish(name) }()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, vfs.ErrExist):
				t.Fatalf("a losing create: %v, want ErrExist", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d parallel creates of %s succeeded, want exactly 1", ok, n, name)
		}
	}
}

// TestStore_Multipart: a large object goes up in parts and reads back
// exactly, by ranges and scans; losing the name race aborts the upload.
func TestStore_Multipart(t *testing.T) {
	st, srv := newStore(t, s3.Options{PartSize: 5 << 20, Parallel: 3})
	data := make([]byte, 13<<20+12345)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, name := range []string{"big", "big"} {
		p, err := st.Create()
		if err != nil {
			t.Fatal(err)
		}
		p.Write(data)
		err = p.Publish(name)
		p.Close()
		if name == "big" && err != nil && !errors.Is(err, vfs.ErrExist) {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	ups, err := srv.Client().ListMultipartUploads(ctx, s3api.ListMultipartUploadsInput{Bucket: st.Bucket()})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Fatalf("%d uploads left after a lost race", len(ups.Uploads))
	}
	entries, err := st.List()
	if err != nil || len(entries) != 1 {
		t.Fatalf("listed %v, %v", entries, err)
	}
	f, err := st.Open("big", entries[0].Version)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() != int64(len(data)) {
		t.Fatalf("size %d", f.Size())
	}
	got, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("scan: %v, equal %v", err, bytes.Equal(got, data))
	}
	for range 200 {
		off := r.Int64N(int64(len(data)))
		buf := make([]byte, r.IntN(3<<20))
		n, err := f.ReadAt(buf, off)
		if want := min(len(buf), len(data)-int(off)); n != want || !bytes.Equal(buf[:n], data[off:off+int64(n)]) || (n < len(buf)) != (err == io.EOF) {
			t.Fatalf("ReadAt(%d, %d) = %d, %v", len(buf), off, n, err)
		}
	}
}

// TestStore_Lease: a lease left unrenewed (its holder gone) is taken over
// after a TTL in which its ETag did not change, and its first holder then
// learns it lost it; a live holder's renewals keep it.
func TestStore_Lease(t *testing.T) {
	// Generous: renewals are requests to a server sharing two cores with
	// the rest of make test.
	ttl := 2 * time.Second
	st, _ := newStore(t, s3.Options{LeaseTTL: ttl})
	a, err := st.Lock(".compact", false)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s3.Open(st.String(), s3.Options{LeaseTTL: ttl})
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		b, err := other.Lock(".compact", true)
		if err == nil {
			err = b.Release()
		}
		done <- err
	}()
	time.Sleep(3 * ttl)
	if err := a.Check(); err != nil {
		t.Fatalf("a renewed lease was lost: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("a live lease was taken over after %v: %v", time.Since(start), err)
	default:
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A holder that died: its lease object stays, unrenewed. Without
	// waiting it is refused at once; waiting takes it over, but only after
	// a TTL of seeing it unchanged.
	_, srv := newStore(t, s3.Options{})
	if _, err := srv.Client().PutObject(context.Background(), s3api.PutObjectInput{
		Bucket: st.Bucket(), Key: st.Prefix() + ".compact", Body: strings.NewReader("dead holder"), Size: 11,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Lock(".compact", false); !errors.Is(err, vfs.ErrLocked) {
		t.Fatalf("lock of a fresh lease without waiting: %v, want ErrLocked", err)
	}
	start = time.Now()
	c, err := st.Lock(".compact", true)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < ttl {
		t.Fatalf("a dead holder's lease taken over after %v, before its TTL %v", d, ttl)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	c.Release()
}

// TestStore_ReadRemoved: a read of an open object that was removed
// meanwhile (a compaction's grace period passed) or replaced under its
// name fails with one line that says why, wrapping
// vfs.ErrNotExist or vfs.ErrChanged: never other bytes.
func TestStore_ReadRemoved(t *testing.T) {
	st, srv := newStore(t, s3.Options{})
	data := bytes.Repeat([]byte("chime "), 1<<19) // 3 MiB: more than the tail an Open fetches
	ctx := context.Background()
	for _, c := range []struct {
		replace bool
		want    error
	}{{false, vfs.ErrNotExist}, {true, vfs.ErrChanged}} {
		p, err := st.Create()
		if err != nil {
			t.Fatal(err)
		}
		p.Write(data)
		if err := p.Publish("main.1"); err != nil {
			t.Fatal(err)
		}
		p.Close()
		f, err := st.Open("main.1", "")
		if err != nil {
			t.Fatal(err)
		}
		key := st.Prefix() + "main.1"
		if err := srv.Client().DeleteObject(ctx, s3api.DeleteObjectInput{Bucket: st.Bucket(), Key: key}); err != nil {
			t.Fatal(err)
		}
		if c.replace {
			if _, err := srv.Client().PutObject(ctx, s3api.PutObjectInput{Bucket: st.Bucket(), Key: key, Body: bytes.NewReader(data[1:]), Size: int64(len(data) - 1)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.ReadAt(make([]byte, 100), 0)
		if msg := fmt.Sprint(err); !errors.Is(err, c.want) || !strings.HasPrefix(msg, "removed while being read") || strings.Contains(msg, "\n") {
			t.Fatalf("replaced %v: %v, want one line saying why, wrapping %v", c.replace, err, c.want)
		}
		if err := srv.Client().DeleteObject(ctx, s3api.DeleteObjectInput{Bucket: st.Bucket(), Key: key}); err != nil {
			t.Fatal(err)
		}
	}
}
