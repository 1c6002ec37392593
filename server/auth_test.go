package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestToken(t *testing.T) {
	e := newRootEnv(t, func(o *Options) { o.Token = "s3cret" })
	for _, rq := range []struct{ method, path string }{
		{"GET", "/db/"}, {"GET", "/db/x/k"}, {"PUT", "/db/x/"}, {"POST", "/db/x/?compact"},
		{"DELETE", "/db/x?confirm=x"}, {"GET", "/nowhere"},
	} {
		for _, auth := range []string{"", "Bearer", "Bearer wrong", "Bearer s3cre", "Bearer s3cret0", "Basic czNjcmV0", "s3cret"} {
			var hdr []string
			if auth != "" {
				hdr = []string{"Authorization", auth}
			}
			code, body := e.do(rq.method, rq.path, "k 1 u 1\n", hdr...)
			if code != http.StatusUnauthorized || !strings.Contains(body, "token") {
				t.Errorf("%s %s with %q: %d %q, want 401", rq.method, rq.path, auth, code, body)
			}
		}
	}
	e.must(http.StatusCreated, "PUT", "/db/x/", "k 1 u 1\n", "Authorization", "Bearer s3cret")
	if got := e.must(http.StatusOK, "GET", "/db/x/k", "", "Authorization", "bearer s3cret"); got != "k\t1\t1\n" {
		t.Errorf("GET with the token: %q", got)
	}
	if got := e.must(http.StatusOK, "GET", "/db/", "", "Authorization", "Bearer s3cret"); got != "x\n" {
		t.Errorf("GET /db/ with the token: %q", got)
	}
}

func TestToken_WWWAuthenticate(t *testing.T) {
	e := newDirEnv(t, func(o *Options) { o.Token = "t" })
	resp, err := e.ts.Client().Get(e.ts.URL + "/k")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate %q", got)
	}
}

func TestCheckAddress(t *testing.T) {
	for _, tc := range []struct {
		addr            string
		token, insecure bool
		ok              bool
	}{
		{"127.0.0.1:5555", false, false, true},
		{"127.8.9.10:1", false, false, true},
		{"[::1]:5555", false, false, true},
		{"localhost:5555", false, false, true},
		{"0.0.0.0:5555", false, false, false},
		{":5555", false, false, false},
		{"[::]:5555", false, false, false},
		{"192.168.1.2:5555", false, false, false},
		{"example.com:80", false, false, false},
		{"0.0.0.0:5555", true, false, true},
		{"0.0.0.0:5555", false, true, true},
		{"no-port", true, true, false},
	} {
		err := CheckAddress(tc.addr, tc.token, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("CheckAddress(%q, token %v, insecure %v) = %v, want ok %v", tc.addr, tc.token, tc.insecure, err, tc.ok)
		}
	}
}
