package vfs_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3test"
	"github.com/chime-tsdb/chime/tsdb/vfs"
	"github.com/chime-tsdb/chime/tsdb/vfs/memfs"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.StopShared()
	os.Exit(code)
}

// stores are the implementations of vfs.FS the conformance tests run on:
// the local directory, the in-memory twin in both of its modes, and the
// S3 store on a real SeaweedFS.
func stores(t *testing.T) map[string]vfs.FS {
	return map[string]vfs.FS{
		"dir":           vfs.NewDir(t.TempDir(), vfs.DirOptions{}),
		"dir-nommap":    vfs.NewDir(t.TempDir(), vfs.DirOptions{NoMmap: true, NoSync: true}),
		"memfs":         memfs.New(memfs.Options{}),
		"memfs-objects": memfs.New(memfs.Options{Objects: true, PageSize: 2}),
		"s3":            s3Store(t),
	}
}

// s3Store is an S3 store at a new bucket of the shared SeaweedFS.
func s3Store(t *testing.T) vfs.FS {
	t.Helper()
	srv := s3test.Shared(t)
	srv.Setenv(t)
	st, err := s3.Open("s3://"+srv.Bucket(t)+"/db", s3.Options{LeaseTTL: 2 * time.Second})
	must(t, err)
	return st
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// publish writes data as a new object named name.
func publish(t *testing.T, fs vfs.FS, name, data string) error {
	t.Helper()
	p, err := fs.Create()
	must(t, err)
	defer p.Close()
	if _, err := io.WriteString(p, data); err != nil {
		t.Fatal(err)
	}
	return p.Publish(name)
}

func read(t *testing.T, fs vfs.FS, name string, v vfs.Version) (string, error) {
	t.Helper()
	f, err := fs.Open(name, v)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, f.Size())
	if _, err := f.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return string(buf), nil
}

func names(t *testing.T, fs vfs.FS) []string {
	t.Helper()
	entries, err := fs.List()
	must(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return out
}

// TestFS_PublishIfAbsent: a name is published once; the loser of the race
// can publish its bytes under another name.
func TestFS_PublishIfAbsent(t *testing.T) {
	for name, fs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			must(t, publish(t, fs, "a", "first"))
			p, err := fs.Create()
			must(t, err)
			io.WriteString(p, "second")
			if err := p.Publish("a"); !errors.Is(err, vfs.ErrExist) {
				t.Fatalf("publish over a taken name: %v, want ErrExist", err)
			}
			must(t, p.Publish("b"))
			must(t, p.Publish("c")) // the same bytes under a second name
			must(t, p.Close())
			for n, want := range map[string]string{"a": "first", "b": "second", "c": "second"} {
				if got, err := read(t, fs, n, ""); err != nil || got != want {
					t.Fatalf("%s holds %q, %v; want %q", n, got, err, want)
				}
			}
			if got := names(t, fs); !slices.Equal(got, []string{"a", "b", "c"}) {
				t.Fatalf("listed %v", got)
			}
		})
	}
}

// TestFS_Pinned: a file opened at a listed version is that version or an
// error, never other bytes; an open File keeps its bytes.
func TestFS_Pinned(t *testing.T) {
	for name, fs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			must(t, publish(t, fs, "x", "old"))
			entries, err := fs.List()
			must(t, err)
			v := entries[0].Version
			f, err := fs.Open("x", v)
			must(t, err)
			defer f.Close()
			must(t, fs.Remove("x"))
			if _, err := read(t, fs, "x", v); !errors.Is(err, vfs.ErrNotExist) {
				t.Fatalf("open of a removed file: %v, want ErrNotExist", err)
			}
			must(t, publish(t, fs, "x", "new!"))
			if _, err := read(t, fs, "x", v); !errors.Is(err, vfs.ErrChanged) {
				t.Fatalf("open of a replaced version: %v, want ErrChanged", err)
			}
			buf := make([]byte, 3)
			_, err = f.ReadAt(buf, 0)
			if fs.Caps().KeepOpen {
				if err != nil || string(buf) != "old" {
					t.Fatalf("a removed file read %q, %v through an open File", buf, err)
				}
			} else if err == nil && string(buf) != "old" {
				t.Fatalf("an open File read other bytes: %q", buf)
			}
		})
	}
}

// TestFS_Replace: where Caps.Replace, Replace puts bytes over a name;
// elsewhere it is refused.
func TestFS_Replace(t *testing.T) {
	for name, fs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			must(t, publish(t, fs, "main", "v1"))
			p, err := fs.Create()
			must(t, err)
			defer p.Close()
			io.WriteString(p, "v2")
			err = p.Replace("main")
			if !fs.Caps().Replace {
				if !errors.Is(err, vfs.ErrUnsupported) {
					t.Fatalf("Replace on %s: %v, want ErrUnsupported", name, err)
				}
				return
			}
			must(t, err)
			if got, _ := read(t, fs, "main", ""); got != "v2" {
				t.Fatalf("main holds %q after Replace", got)
			}
		})
	}
}

// TestFS_CloseWithoutPublish leaves nothing listed.
func TestFS_CloseWithoutPublish(t *testing.T) {
	for name, fs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			p, err := fs.Create()
			must(t, err)
			io.WriteString(p, "abandoned")
			must(t, p.Close())
			if got := names(t, fs); len(got) != 0 {
				t.Fatalf("listed %v", got)
			}
		})
	}
}

// TestFS_Lock: a held lock refuses another holder without waiting.
func TestFS_Lock(t *testing.T) {
	for name, fs := range stores(t) {
		t.Run(name, func(t *testing.T) {
			l, err := fs.Lock(".compact", false)
			must(t, err)
			if _, err := fs.Lock(".compact", false); !errors.Is(err, vfs.ErrLocked) {
				t.Fatalf("second lock: %v, want ErrLocked", err)
			}
			must(t, l.Check())
			must(t, l.Release())
			l2, err := fs.Lock(".compact", false)
			must(t, err)
			must(t, l2.Release())
		})
	}
}

// TestMemfs_LeaseExpires: an object store's lease left unrenewed for its
// TTL is taken over, and its first holder learns it lost it.
func TestMemfs_LeaseExpires(t *testing.T) {
	fs := memfs.New(memfs.Options{Objects: true, LeaseTTL: time.Minute})
	l, err := fs.Lock(".compact", false)
	must(t, err)
	fs.Advance(59 * time.Second)
	must(t, l.Check()) // renewed
	fs.Advance(59 * time.Second)
	if _, err := fs.Lock(".compact", false); !errors.Is(err, vfs.ErrLocked) {
		t.Fatalf("lock of a renewed lease: %v", err)
	}
	fs.Advance(2 * time.Second)
	l2, err := fs.Lock(".compact", false)
	must(t, err)
	if err := l.Check(); err == nil {
		t.Fatal("the first holder still holds a lease taken over")
	}
	must(t, l2.Check())
}

// TestDir_StaleTemps: a temporary file whose writer died (unlocked) and
// that is old enough is stale; a live one is not.
func TestDir_StaleTemps(t *testing.T) {
	dir := t.TempDir()
	fs := vfs.NewDir(dir, vfs.DirOptions{})
	live, err := fs.Create()
	must(t, err)
	defer live.Close()
	dead := filepath.Join(dir, "tx-dead.tmp")
	must(t, os.WriteFile(dead, []byte("half"), 0o644))
	old := time.Now().Add(-time.Hour)
	must(t, os.Chtimes(dead, old, old))
	stale, err := fs.Stale()
	must(t, err)
	if !slices.Equal(stale, []string{"tx-dead.tmp"}) {
		t.Fatalf("stale %v", stale)
	}
	must(t, fs.RemoveStale())
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale file left: %v", err)
	}
}

// TestDir_ShortRead: a read past the end of a mapped file is an error.
func TestDir_ShortRead(t *testing.T) {
	fs := vfs.NewDir(t.TempDir(), vfs.DirOptions{})
	must(t, publish(t, fs, "f", "0123456789"))
	f, err := fs.Open("f", "")
	must(t, err)
	defer f.Close()
	buf := make([]byte, 4)
	if n, err := f.ReadAt(buf, 8); err == nil || n != 2 {
		t.Fatalf("read past the end: %d, %v", n, err)
	}
	if p, ok := f.(interface{ Prefetch(off, n int64) }); ok {
		p.Prefetch(2, 100) // a hint: never an error, never a fault
	}
}
