package server

import (
	"net/http"
	"path"
	"strings"
)

// routes maps the API onto the standard library's router. {filter...}
// takes the rest of the path, percent-decoded, slashes included.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	base := ""
	if s.root != "" {
		base = "/db/{name}"
		mux.Handle("GET /db/{$}", handlerFunc(s.listDatabases))
		mux.Handle("DELETE /db/{name}", handlerFunc(s.removeDatabase))
		mux.Handle("DELETE /db/{name}/{$}", handlerFunc(s.removeDatabase))
	}
	mux.Handle("GET "+base+"/{filter...}", handlerFunc(s.get))
	mux.Handle("PUT "+base+"/{rest...}", handlerFunc(s.put))
	mux.Handle("POST "+base+"/{filter...}", handlerFunc(s.post))
	return mux
}

// canonicalPaths refuses paths with empty, "." or ".." segments. The
// router would redirect them to their cleaned form, and a client that
// follows a redirect of `POST /a//b?delete` would delete `a/b`, another
// key. Such keys (and keys starting with '/') are read with ?filter=.
func canonicalPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.EscapedPath(); p != cleanPath(p) {
			writeError(w, r, badRequest("path %q has an empty, '.' or '..' segment; pass such a filter as ?filter=", p))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cleanPath is the canonical form the router redirects to: path.Clean,
// keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}
