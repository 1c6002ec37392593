package server

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestUI_Files checks the page and its files: served without the token
// (a browser cannot send it when it opens the page), with a strict
// Content-Security-Policy and their content types, while the API still
// refuses requests without it.
func TestUI_Files(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.Token = "tok" })
	tests := []struct {
		path, contentType, contains string
	}{
		{"/ui/", "text/html; charset=utf-8", `<script src="app.js" defer></script>`},
		{"/ui/index.html", "text/html; charset=utf-8", `data-mode="dir"`},
		{"/ui/app.js", "text/javascript; charset=utf-8", "'use strict'"},
		{"/ui/app.css", "text/css; charset=utf-8", ".tooltip"},
		{"/ui/vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot"},
		{"/ui/vendor/uPlot.min.css", "text/css; charset=utf-8", ".uplot"},
	}
	for _, tt := range tests {
		resp, body := fetchUI(t, e, tt.path)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %q", tt.path, resp.StatusCode, body)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tt.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tt.path, got, tt.contentType)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != uiCSP {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.path, got)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", tt.path)
		}
		if !strings.Contains(body, tt.contains) {
			t.Errorf("GET %s: no %q in the body", tt.path, tt.contains)
		}
	}
	for _, path := range []string{"/ui/nosuch.js", "/ui/vendor/", "/ui/../server.go"} {
		if resp, _ := fetchUI(t, e, path); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if code, _ := e.do("GET", "/ui", ""); code != http.StatusOK { // redirected to /ui/
		t.Errorf("GET /ui: %d after redirects", code)
	}
	// The API is still behind the token, and so are other methods on /ui/.
	for _, req := range [][2]string{{"GET", "/fib%25"}, {"GET", "/?keys"}, {"GET", "/x?span"}, {"POST", "/ui/x?delete"}} {
		if code, _ := e.do(req[0], req[1], ""); code != http.StatusUnauthorized {
			t.Errorf("%s %s without the token: %d, want 401", req[0], req[1], code)
		}
	}
}

func fetchUI(t *testing.T, e *env, path string) (*http.Response, string) {
	t.Helper()
	resp, err := e.ts.Client().Get(e.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestUI_CSP checks the policy (no 'unsafe-inline', 'unsafe-eval' or
// other origins) and that the page needs no exception to it: no inline
// script, style or event handler, and nothing loaded from elsewhere. The
// browser test (ui_browser_test.go) checks that Chromium reports no
// violation.
func TestUI_CSP(t *testing.T) {
	for _, bad := range []string{"unsafe", "http:", "https:", "*"} {
		if strings.Contains(uiCSP, bad) {
			t.Errorf("the CSP allows %q: %s", bad, uiCSP)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(uiCSP, want) {
			t.Errorf("the CSP lacks %q: %s", want, uiCSP)
		}
	}
	files, _ := fs.Sub(uiFiles, "ui/assets")
	page, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		re   string
		what string
	}{
		{`<script(?:\s[^>]*)?>[^<]`, "an inline script"},
		{`<style`, "a style element"},
		{`\sstyle=`, "a style attribute"},
		{`\son[a-z]+=`, "an event handler attribute"},
		{`(?:src|href)="(?:https?:)?//`, "a file from another origin"},
		{`javascript:`, "a javascript: URL"},
	}
	for _, c := range checks {
		if regexp.MustCompile(c.re).Match(page) {
			t.Errorf("index.html has %s (%s)", c.what, c.re)
		}
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAll(page, -1) {
		if !strings.Contains(string(tag), ` src="`) {
			t.Errorf("index.html: %s has no src", tag)
		}
	}
	app, _ := fs.ReadFile(files, "app.js")
	for _, bad := range []string{"innerHTML", "eval(", "new Function", "setAttribute('style'", "document.write"} {
		if strings.Contains(string(app), bad) {
			t.Errorf("app.js uses %s, which the CSP blocks or which could run data as code", bad)
		}
	}
}

// TestUI_RootMode: under a root the page lists the databases.
func TestUI_RootMode(t *testing.T) {
	e := newRootEnv(t, nil)
	resp, body := fetchUI(t, e, "/ui/")
	if resp.StatusCode != 200 || !strings.Contains(body, `data-mode="root"`) {
		t.Errorf("GET /ui/ under a root: %d, data-mode root missing", resp.StatusCode)
	}
}

// TestUI_VendorMatchesLock: the committed copy of uPlot is the version
// that package-lock.json pins (make ui copies it from a fresh npm ci;
// make test compares them byte for byte).
func TestUI_VendorMatchesLock(t *testing.T) {
	lock, err := os.ReadFile("ui/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		Packages map[string]struct{ Version string }
	}
	if err := json.Unmarshal(lock, &l); err != nil {
		t.Fatal(err)
	}
	version := l.Packages["node_modules/uplot"].Version
	files, _ := fs.Sub(uiFiles, "ui/assets")
	js, err := fs.ReadFile(files, "vendor/uPlot.iife.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if version == "" || !strings.Contains(string(js), "(v"+version+")") {
		t.Errorf("vendor/uPlot.iife.min.js is not uPlot %q, which package-lock.json pins: run make ui", version)
	}
}
