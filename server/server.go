package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chime-tsdb/chime/tsdb"
)

// Options configure a Server. Exactly one of Dir and Root is required;
// every other zero value means the default.
type Options struct {
	// Dir serves the one database in Dir, with an empty base path.
	Dir string
	// Root serves every database directory under Root, each with the base
	// path /db/<name>.
	Root string
	// Namespace serves the databases of a root that is not a local
	// directory (object storage), as Root does.
	Namespace Namespace
	// NoCreate refuses writes to databases that do not exist yet (root
	// mode); by default the first write creates them.
	NoCreate bool
	// DB is passed to tsdb.Open for every database (NoSync, NoMmap). Its
	// FS is used in Dir mode only.
	DB tsdb.Options

	// Token, when set, must come with every request as
	// `Authorization: Bearer <Token>`.
	Token string

	// MaxBody bounds a PUT body in bytes (DefaultMaxBody); larger bodies
	// get 413.
	MaxBody int64
	// MaxLine bounds one line of a PUT body (DefaultMaxLine); 413.
	MaxLine int
	// SortMemory is the memory budget for sorting one PUT body
	// (extsort.DefaultMemory when 0); beyond it the body spills to
	// temporary files in SortDir (default: the database directory, or the
	// root).
	SortMemory int64
	SortDir    string
	// MaxWriters caps the writes (PUT, delete) in progress
	// (DefaultMaxWriters).
	MaxWriters int
	// WriterWait is how long a write waits for a slot before 503
	// (DefaultWriterWait).
	WriterWait time.Duration
	// WriteTimeout bounds each write of a streamed answer
	// (DefaultWriteTimeout).
	WriteTimeout time.Duration

	// Log receives one access-log line per request; nil logs nothing.
	Log *slog.Logger
	// Compact runs the compactions of `POST /?compact`; nil answers 501.
	Compact Compactor
}

// CompactOptions is what a compaction request asks for.
type CompactOptions struct {
	// Major merges main too.
	Major bool
	// NoWait fails (409) rather than waiting when another compaction runs.
	NoWait bool
}

// Compactor compacts db and returns a one-line summary for the answer.
// cmd/chime gives one built on package compact; an error wrapping
// tsdb.ErrLocked is answered 409.
type Compactor func(ctx context.Context, db *tsdb.DB, o CompactOptions) (string, error)

// Server is the HTTP API over one database or a root of databases. It is
// an http.Handler, safe for concurrent use.
type Server struct {
	o        Options
	db       *tsdb.DB // Dir mode
	root     string   // Root mode: absolute, symbolic links resolved
	writers  *writerSlots
	locks    nameLocks
	createMu sync.Mutex
	handler  http.Handler
}

// New checks the options and opens the database (Dir mode) or the root.
func New(o Options) (*Server, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{o: o, writers: newWriterSlots(o.MaxWriters, o.WriterWait)}
	var err error
	switch {
	case o.Dir != "":
		s.db, err = tsdb.Open(o.Dir, &o.DB)
	case o.Namespace != nil:
		s.root = o.Namespace.String()
	default:
		s.root, err = s.openRoot(o.Root)
	}
	if err != nil {
		return nil, err
	}
	s.handler = accessLog(o.Log, withUI(newUI(s.root != ""), requireToken(o.Token, canonicalPaths(s.routes()))))
	return s, nil
}

// setDefaults fills in the zero limits and checks the rest.
func (o *Options) setDefaults() error {
	switch {
	case o.Namespace != nil && (o.Dir != "" || o.Root != ""):
		return errors.New("serve: a namespace is a root of its own")
	case o.Dir == "" && o.Root == "" && o.Namespace == nil:
		return errors.New("serve: a database directory or a root is required")
	case o.Dir != "" && o.Root != "":
		return errors.New("serve: a database directory and a root cannot be combined")
	case o.Root != "" && o.DB.FS != nil:
		return errors.New("serve: a file system replacement serves one database only")
	case o.MaxBody < 0 || o.MaxBody > maxBodyLimit:
		return fmt.Errorf("serve: body limit %d out of range (1 to %d)", o.MaxBody, int64(maxBodyLimit))
	case o.MaxLine < 0 || o.MaxWriters < 0 || o.WriterWait < 0 || o.WriteTimeout < 0:
		return errors.New("serve: negative limit")
	}
	o.MaxBody = cmp.Or(o.MaxBody, DefaultMaxBody)
	o.MaxLine = cmp.Or(o.MaxLine, DefaultMaxLine)
	o.MaxWriters = cmp.Or(o.MaxWriters, DefaultMaxWriters)
	o.WriterWait = cmp.Or(o.WriterWait, DefaultWriterWait)
	o.WriteTimeout = cmp.Or(o.WriteTimeout, DefaultWriteTimeout)
	return nil
}

// removedPrefix starts the names databases take while they are removed:
// the dot keeps them out of reach of every request.
const removedPrefix = ".removed."

// openRoot resolves the root and removes what an interrupted removal of a
// database left.
func (s *Server) openRoot(root string) (string, error) {
	real, err := resolveRoot(root)
	if err != nil {
		return "", err
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), removedPrefix) {
			os.RemoveAll(filepath.Join(real, e.Name()))
		}
	}
	return real, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, done := trackRequest(r)
	defer done()
	s.handler.ServeHTTP(w, r)
}
