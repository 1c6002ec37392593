package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGet_Filters(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", fibRows+"lucas 1 u 2\nlucas 2 u 1\nfib\\ x 7 u 9\nfib/slash 1 u 4\n")
	for _, tc := range []struct{ path, want string }{
		{"/fibonacci", fibNanos},
		{"/fib%25", "fib\\ x\t7\t9\n" + "fib/slash\t1\t4\n" + fibNanos},
		{"/fib%2Fslash", "fib/slash\t1\t4\n"},
		{"/fib/slash", "fib/slash\t1\t4\n"},
		{"/fib%20x", "fib\\ x\t7\t9\n"},
		{"/luc%25?filter=fib%25o%25", fibNanos + "lucas\t1\t2\nlucas\t2\t1\n"},
		{"/?filter=lucas&filter=lucas", "lucas\t1\t2\nlucas\t2\t1\n"},
		{"/missing", ""},
		{"/", ""},
		{"/?after-key=fibonacci&before-key=lucas", fibNanos},
		{"/?after-key=luc", "lucas\t1\t2\nlucas\t2\t1\n"},
		{"/fibonacci?after-time=2020-01-05&before-time=1578268800000000000", "fibonacci\t1578182400000000000\t5\n"},
		{"/fibonacci?after-time=2020-01-06T00:00:00Z", "fibonacci\t1578268800000000000\t8\n"},
	} {
		code, got := e.do("GET", tc.path, "")
		if code != http.StatusOK || got != tc.want {
			t.Errorf("GET %s: %d %q, want 200 %q", tc.path, code, got, tc.want)
		}
	}
}

func TestGet_Output(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "k 1500000000 uF 7 2.5\nk 2000000000 s hello\\ world\n")
	for _, tc := range []struct{ query, want string }{
		{"", "k\t1500000000\t7 2.50000000000000000\nk\t2000000000\thello\\ world\n"},
		{"?human", "k\t1970-01-01T00:00:01\t7 2.50000000000000000\nk\t1970-01-01T00:00:02\thello\\ world\n"},
		{"?timestamp-format=%25s.%253f", "k\t1.500\t7 2.50000000000000000\nk\t2.000\thello\\ world\n"},
		{"?timestamp-seconds", "k\t1\t7 2.50000000000000000\nk\t2\thello\\ world\n"},
		{"?timestamp-nanos&print-format", "k\t1500000000\tuF\t7 2.50000000000000000\nk\t2000000000\ts\thello\\ world\n"},
		{"?columns=2", "k\t1500000000\t2.50000000000000000\nk\t2000000000\t\n"},
		{"?output=json", `{"key":"k","ts":1500000000,"time":"1970-01-01T00:00:01.500Z","format":"uF","values":[7,2.5]}` + "\n" +
			`{"key":"k","ts":2000000000,"time":"1970-01-01T00:00:02Z","format":"s","values":["hello world"]}` + "\n"},
		{"?output=csv", "key,ts,time,v1,v2\nk,1500000000,1970-01-01T00:00:01.500Z,7,2.5\nk,2000000000,1970-01-01T00:00:02Z,hello world,\n"},
	} {
		if got := e.must(http.StatusOK, "GET", "/k"+tc.query, ""); got != tc.want {
			t.Errorf("GET /k%s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
	}
	if got := e.must(http.StatusOK, "GET", "/none?output=csv", ""); got != "key,ts,time\n" {
		t.Errorf("csv of nothing: %q, want the header alone", got)
	}
}

func TestGet_ContentTypes(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "k 1 u 1\n")
	for query, want := range map[string]string{"": "text/plain", "?output=json": "application/x-ndjson", "?output=csv": "text/csv",
		"?keys": "text/plain", "?keys&json": "application/x-ndjson", "?keys&output=json&count": "application/x-ndjson"} {
		resp, err := e.ts.Client().Get(e.ts.URL + "/k" + query)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("GET /k%s: Content-Type %q, want %s", query, ct, want)
		}
	}
}

func TestGet_BadParameters(t *testing.T) {
	e := newDirEnv(t, nil)
	for _, tc := range []struct{ path, want string }{
		{"/k?after_time=2020-01-01", `unknown parameter "after_time"`},
		{"/k?human&timestamp-nanos", "exclude each other"},
		{"/k?after-time=yesterday", "after-time"},
		{"/k?columns=x", "columns"},
		{"/k?output=xml", "output"},
		{"/k?output=json&human", "text only"},
		{"/k?human=maybe", "human"},
		{"/?after-key=b&before-key=a", "after-key"},
		{"/k?after-key=a", "cannot be combined"},
		{"/%25?after-key=fibonacci&before-key=lucas", "cannot be combined"},
		{"/?filter=k&before-key=a", "cannot be combined"},
		{"/k?keys&after-key=a", "cannot be combined"},
		{"/?keys&output=csv", "keys are listed as text or json"},
		{"/k?after-time=", "after-time"},
		{"/k?timestamp-format=%25Q", "timestamp-format"},
		{"/k?after-time=1&after-time=2", "2 times"},
		{"/a//b", "?filter="},
		{"/a/./b", "?filter="},
	} {
		code, got := e.do("GET", tc.path, "")
		if code != http.StatusBadRequest || !strings.Contains(got, tc.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("GET %s: %d %q, want 400 and one line naming %q", tc.path, code, got, tc.want)
		}
	}
}

func TestGet_RawPercent(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", fibRows+"lucas 1 u 2\n")
	// One connection: the rewrite applies to every request line of it.
	got := e.raw("GET /fib%", "GET /fib%?human", "GET /?filter=fib%&filter=luc%", "GET /fib%25", "GET /luc%", "GET /%?after-key=a")
	want := []rawResponse{
		{200, fibNanos},
		{200, humanFib},
		{200, fibNanos + "lucas\t1\t2\n"},
		{200, fibNanos},
		{200, "lucas\t1\t2\n"},
		{400, "a filter and after-key/before-key cannot be combined\n"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: %d %q, want %d %q", i, got[i].code, got[i].body, want[i].code, want[i].body)
		}
	}
}

const humanFib = "fibonacci\t2020-01-01T00:00:00\t1\n" +
	"fibonacci\t2020-01-02T00:00:00\t1\n" +
	"fibonacci\t2020-01-03T00:00:00\t2\n" +
	"fibonacci\t2020-01-04T00:00:00\t3\n" +
	"fibonacci\t2020-01-05T00:00:00\t5\n" +
	"fibonacci\t2020-01-06T00:00:00\t8\n"

func TestGet_FreshAfterWrite(t *testing.T) {
	e := newDirEnv(t, nil)
	for i := range 5 {
		e.put("", "k "+strings.Repeat("1", i+1)+" u 1\n")
		if got := strings.Count(e.must(http.StatusOK, "GET", "/k", ""), "\n"); got != i+1 {
			t.Fatalf("after %d writes GET sees %d rows", i+1, got)
		}
	}
}

func TestGet_Keys(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "a 1 u 1\nab 1 u 1\nb 1 u 1\nb\\ c 1 u 1\nc 5 u 1\n")
	for _, tc := range []struct{ query, want string }{
		{"/?keys", "a\nab\nb\nb\\ c\nc\n"},
		{"/a%25?keys", "a\nab\n"},
		{"/?keys&prefix=b", "b\nb\\ c\n"},
		{"/?keys&suffix=b", "ab\nb\n"},
		{"/?keys&start-after=ab&limit=2", "b\nb\\ c\n"},
		{"/?keys&offset=1&limit=1&reverse", "b\\ c\n"},
		{"/?keys&count", "5\n"},
		{"/?keys&output=json&prefix=b", `"b"` + "\n" + `"b c"` + "\n"},
		{"/?keys&json&prefix=b", `"b"` + "\n" + `"b c"` + "\n"},
		{"/?keys&json&count", `{"count":5}` + "\n"},
		{"/?keys&after-time=2", "c\n"},
	} {
		if got := e.must(http.StatusOK, "GET", tc.query, ""); got != tc.want {
			t.Errorf("GET %s: %q, want %q", tc.query, got, tc.want)
		}
	}
	e.must(http.StatusBadRequest, "GET", "/?keys&limit=-1", "")
}

// A read that fails after its first bytes went out is aborted, so that
// the client sees a truncated answer rather than a short one that looks
// complete.
func TestGet_AbortsOnCorruption(t *testing.T) {
	e := newDirEnv(t, nil)
	var body strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&body, "a %d u %d\n", i, i)
	}
	e.put("", body.String())
	e.put("", "b 1 u 1\nb 2 u 2\n")
	files, _ := filepath.Glob(filepath.Join(e.dir, "tx.*"))
	slices.Sort(files)
	last := files[len(files)-1]
	data, err := os.ReadFile(last)
	if err != nil {
		t.Fatal(err)
	}
	data[20] ^= 0xff // in the block of b
	if err := os.WriteFile(last, data, 0o644); err != nil {
		t.Fatal(err)
	}
	e.must(http.StatusInternalServerError, "GET", "/b", "")
	resp, err := e.ts.Client().Get(e.ts.URL + "/%25")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || err == nil || len(got) == 0 {
		t.Errorf("read of a corrupt database: %d, %d bytes, %v; want 200, some rows, then an error", resp.StatusCode, len(got), err)
	}
}
