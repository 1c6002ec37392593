package server

import (
	"errors"

	"github.com/chime-tsdb/chime/tsdb"
)

// Namespace is where the databases of a root live when they are not the
// subdirectories of a local directory (Options.Root): cmd/chime gives one
// on object storage for `serve --root s3://BUCKET/PREFIX`. Its methods
// are safe for concurrent use.
type Namespace interface {
	// Names lists the databases, in byte order.
	Names() ([]string, error)
	// Open opens the database name, creating it first when create is set
	// and it does not exist; a missing database is an error wrapping
	// ErrNoDatabase.
	Open(name string, create bool, o tsdb.Options) (*tsdb.DB, error)
	// Remove removes the database name so that no later request sees it
	// and a database created again under the name starts empty (a missing
	// one: ErrNoDatabase).
	Remove(name string) error
	// String names the root, for messages.
	String() string
}

// ErrNoDatabase is wrapped by a Namespace for a database that does not
// exist.
var ErrNoDatabase = errNoDatabase

// openInNamespace is openNamed on a Namespace.
func (s *Server) openInNamespace(name string, create bool) (*tsdb.DB, error) {
	db, err := s.o.Namespace.Open(name, create && !s.o.NoCreate, s.o.DB)
	if errors.Is(err, errNoDatabase) {
		return nil, s.noDatabase(name, create)
	}
	return db, err
}
