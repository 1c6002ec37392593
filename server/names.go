package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// maxNameLen bounds a database name, well under every file system's limit.
const maxNameLen = 128

// checkName accepts the names of databases under the root: 1 to 128 bytes
// of ASCII letters, digits, '.', '_' and '-', not starting with a dot.
// The short list of bytes is what makes names safe: no separator (/ or \),
// no NUL, no "..", no absolute path, nothing a shell or a log mangles; and
// names starting with a dot stay free for the server's own use.
func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return badRequest("database name %q: want 1 to %d characters", name, maxNameLen)
	}
	if name[0] == '.' {
		return badRequest("database name %q: must not start with a dot", name)
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return badRequest("database name %q: only letters, digits, '.', '_' and '-' are allowed", name)
		}
	}
	return nil
}

func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// errNoDatabase is wrapped when a name has no database under the root.
var errNoDatabase = errors.New("no such database")

// resolveRoot makes the root absolute with its symbolic links resolved, the
// reference that every database path is checked against.
func resolveRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("root %s: %w", root, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("root %s: %w", root, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("root %s is not a directory", root)
	}
	return real, nil
}

// dbPath returns the directory of the database name under root, after
// checking the name and that the path, with every symbolic link resolved,
// still lies inside root: a link planted in the root that points elsewhere
// is refused (403), never followed. A missing directory gives an error
// wrapping errNoDatabase along with the path where it would be created.
func dbPath(root, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	p := filepath.Join(root, name)
	real, err := filepath.EvalSymlinks(p)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(p); lerr == nil {
			// A dangling link: whatever it names is not ours to create.
			return "", errorf(http.StatusForbidden, "database %q: a symbolic link leading outside the root", name)
		}
		return p, fmt.Errorf("database %q: %w", name, errNoDatabase)
	}
	if err != nil {
		return "", err
	}
	if !inside(root, real) {
		return "", errorf(http.StatusForbidden, "database %q: a symbolic link leading outside the root", name)
	}
	return real, nil
}

// inside reports whether path p lies strictly below root; both are
// absolute and clean.
func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
