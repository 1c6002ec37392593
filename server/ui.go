package server

import (
	"bytes"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// uiFiles are the web UI's files: the page, its script and style, and
// uPlot's (ui/assets/vendor, copied from the npm package by make ui).
//
//go:embed ui/assets
var uiFiles embed.FS

// uiCSP is the web UI's Content-Security-Policy: scripts, styles and
// requests from the server itself only, no inline scripts or styles, no
// framing.
const uiCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ui serves the web UI under /ui/. Its files hold no data, so they are
// served without the bearer token: a browser cannot send one when it opens
// the page, which asks for it and sends it with each API request.
type ui struct {
	files fs.FS
	index []byte
}

func newUI(root bool) *ui {
	files, err := fs.Sub(uiFiles, "ui/assets")
	if err != nil {
		panic("server: " + err.Error()) // the embedded tree is fixed at build time
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("server: " + err.Error())
	}
	if root {
		// The page lists the databases of the root and reads one at a time.
		index = bytes.Replace(index, []byte(`data-mode="dir"`), []byte(`data-mode="root"`), 1)
	}
	return &ui{files: files, index: index}
}

// ServeHTTP answers a GET or HEAD request for /ui/ or one of its files.
func (u *ui) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", uiCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	name := strings.TrimPrefix(r.URL.Path, "/ui/")
	if name == "" || name == "index.html" {
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		w.Write(u.index)
		return
	}
	b, err := fs.ReadFile(u.files, name)
	if err != nil || strings.HasPrefix(path.Base(name), ".") {
		writeError(w, r, errorf(http.StatusNotFound, "/ui/%s: no such file", name))
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	h.Set("Cache-Control", "no-cache")
	w.Write(b)
}

// withUI routes GET and HEAD requests for /ui/ (and /ui) to the web UI,
// before the token check, and everything else to next. (So a key
// starting with "ui/" is read with ?filter=.)
func withUI(u *ui, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			next.ServeHTTP(w, r)
		case p == "/ui":
			http.Redirect(w, r, "/ui/", http.StatusMovedPermanently)
		case strings.HasPrefix(p, "/ui/"):
			u.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}
