package s3

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chime-tsdb/chime/tsdb/vfs"
)

// cache is the local cache of fetched ranges (Options.Cache): one
// directory per object version, named by a hash of the bucket, key and
// ETag, holding the tail and each range fetched, in files named by their
// offsets. Objects never change, so an entry is never stale; an entry is
// written to a temporary name and renamed, so a reader never sees half of
// one. A nil cache caches nothing.
type cache struct{ dir string }

func openCache(dir string) (*cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache directory: %w", err)
	}
	return &cache{dir: dir}, nil
}

func (c *cache) objectDir(key string, v vfs.Version) string {
	h := sha256.Sum256([]byte(key + "\x00" + string(v)))
	return filepath.Join(c.dir, hex.EncodeToString(h[:16]))
}

// tail returns the cached tail of an object version: the object's size in
// the file's first 8 bytes, then its last bytes.
func (c *cache) tail(key string, v vfs.Version) (*chunk, bool) {
	if c == nil || v == "" {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(c.objectDir(key, v), "tail"))
	if err != nil || len(b) < 8 {
		return nil, false
	}
	size := int64(binary.LittleEndian.Uint64(b))
	data := b[8:]
	if int64(len(data)) > size {
		return nil, false
	}
	return &chunk{off: size - int64(len(data)), data: data, size: size}, true
}

func (c *cache) putTail(key string, v vfs.Version, t *chunk) {
	if c == nil || v == "" || t.off+int64(len(t.data)) != t.size {
		return
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(t.size))
	c.write(key, v, "tail", append(b, t.data...))
}

// rangeData returns a cached range lo..hi.
func (c *cache) rangeData(key string, v vfs.Version, lo, hi int64) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(c.objectDir(key, v), rangeName(lo, hi)))
	if err != nil || int64(len(b)) != hi-lo {
		return nil, false
	}
	return b, true
}

func (c *cache) putRange(key string, v vfs.Version, lo int64, data []byte) {
	if c == nil {
		return
	}
	c.write(key, v, rangeName(lo, lo+int64(len(data))), data)
}

func rangeName(lo, hi int64) string { return fmt.Sprintf("%d-%d", lo, hi) }

// write stores an entry; a failure only means a later miss.
func (c *cache) write(key string, v vfs.Version, name string, data []byte) {
	dir := c.objectDir(key, v)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil && cerr == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
}
