package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chime-tsdb/chime/tsdb"
	"github.com/chime-tsdb/chime/tsdb/vfs"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// store returns the store of an s3:// location, and nil for a local
// directory, which tsdb opens itself. The S3 client is configured only
// here, so that local commands never pay for it.
func (g *globals) store(loc string) (vfs.FS, error) {
	if !s3.IsLocation(loc) {
		return nil, nil
	}
	return g.s3Store(loc)
}

func (g *globals) s3Store(loc string) (*s3.Store, error) {
	o, err := s3Tuning()
	if err != nil {
		return nil, err
	}
	o.Cache, o.Grace = g.cache, g.grace
	st, err := s3.Open(loc, o)
	if err == nil {
		g.s3Stores = append(g.s3Stores, st)
	}
	return st, err
}

// s3Tuning reads the optional tuning of object storage from the
// environment: $CHIME_S3_TIMEOUT, how long a request attempt may stay
// silent (nothing sent or received, or its reply's headers still to
// come) before it fails (a duration, 30s by default), and
// $CHIME_S3_PART_SIZE, the size of the parts of multipart uploads (a size
// as the size flags take it: 64M, 64MiB; 16MiB by default, from 5MiB to
// 5GiB).
// The number of attempts is the standard $AWS_MAX_ATTEMPTS (or the
// profile's max_attempts), read by internal/s3api.
func s3Tuning() (s3.Options, error) {
	var o s3.Options
	if v := os.Getenv("CHIME_S3_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("CHIME_S3_TIMEOUT=%q: want a positive duration such as 10s", v)
		}
		o.Timeout = d
	}
	if v := os.Getenv("CHIME_S3_PART_SIZE"); v != "" {
		var n byteSize // as the size flags read it
		if err := n.Set(v); err != nil || n < s3.MinPartSize || n > s3.MaxPartSize {
			return o, fmt.Errorf("CHIME_S3_PART_SIZE=%q: want a size from 5MiB to 5GiB, such as 64MiB", v)
		}
		o.PartSize = int64(n)
	}
	return o, nil
}

// reportRequests prints, when $CHIME_S3_REQUESTS is set, the number of
// requests the command sent to object storage, by kind (users pay per
// request; make bench tabulates them).
func (g *globals) reportRequests() {
	if os.Getenv("CHIME_S3_REQUESTS") == "" || len(g.s3Stores) == 0 {
		return
	}
	total := map[string]int{}
	for _, st := range g.s3Stores {
		for k, v := range st.Requests() {
			total[k] += v
		}
	}
	n := 0
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(total)) {
		n += total[k]
		parts = append(parts, fmt.Sprintf("%s %d", k, total[k]))
	}
	fmt.Fprintf(os.Stderr, "s3 requests: %d (%s)\n", n, strings.Join(parts, ", "))
}

// open opens the database at loc (a directory or s3://BUCKET/PREFIX) with
// the global flags' options and a command's --no-sync.
func (g *globals) open(loc string, noSync bool) (*tsdb.DB, error) {
	o := g.dbOptions(noSync)
	st, err := g.store(loc)
	if err != nil {
		return nil, err
	}
	o.FS = st
	return tsdb.Open(loc, o)
}

// initDB creates a database at loc: a directory, or an empty store.
func (g *globals) initDB(loc string) error {
	st, err := g.store(loc)
	if err != nil {
		return err
	}
	if st == nil {
		return tsdb.Init(loc)
	}
	return tsdb.InitFS(st)
}

// checkStore refuses a store that holds no database, as tsdb.Open refuses
// a directory without main: for commands that would otherwise start
// without reading it (serve).
func checkStore(st vfs.FS) error {
	entries, err := st.List()
	if err != nil {
		return fmt.Errorf("list %s: %w", st, err)
	}
	for _, e := range entries {
		if e.Name == tsdb.MainName || strings.HasPrefix(e.Name, tsdb.MainName+".") {
			return nil
		}
	}
	return fmt.Errorf("%w: %s has no %q (create one with: chime init %s)", tsdb.ErrNotDatabase, st, tsdb.MainName, st)
}
