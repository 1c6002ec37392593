package server

import (
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestPut_AnyOrder(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", fibRows)
	if got := e.must(http.StatusOK, "GET", "/fibonacci", ""); got != fibNanos {
		t.Errorf("GET after PUT:\n%s\nwant\n%s", got, fibNanos)
	}
}

func TestPut_FormatsAndEscapes(t *testing.T) {
	e := newDirEnv(t, nil)
	// A key changing format, CRLF, blank lines, tabs, escapes, a
	// missing trailing string.
	e.put("", "k 3 s three\r\n\n  k\t1\tu  1\nk 2 uF 2 2.5\nb\\ key 5 B aGk=\nk 4 us 4\n")
	want := "b\\ key\t5\tB\taGk=\n" +
		"k\t1\tu\t1\nk\t2\tuF\t2 2.50000000000000000\nk\t3\ts\tthree\nk\t4\tus\t4 \n"
	if got := e.must(http.StatusOK, "GET", "/%25?print-format", ""); got != want {
		t.Errorf("GET:\n got %q\nwant %q", got, want)
	}
}

// An escaped space ending a line is a space ending the last value or
// key, not trailing blank (sonnerie crashed on it).
func TestPut_TrailingEscapedSpace(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "k 1 s abc\\ \nk\\  2 ss x\\ \r\n")
	want := "k\t1\ts\tabc\\ \nk\\ \t2\tss\tx\\  \n"
	if got := e.must(http.StatusOK, "GET", "/%25?print-format", ""); got != want {
		t.Errorf("GET:\n got %q\nwant %q", got, want)
	}
}

func TestPut_TimestampFormat(t *testing.T) {
	e := newDirEnv(t, nil)
	e.must(http.StatusCreated, "PUT", "/?timestamp-format=%25FT%25T", "k 2020-01-01T00:00:01 u 1\n")
	if got := e.must(http.StatusOK, "GET", "/k", ""); got != "k\t1577836801000000000\t1\n" {
		t.Errorf("GET: %q", got)
	}
}

func TestPut_RejectsWhole(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"bad value", "a 1 u 1\nb 2 u x\nc 3 u y\n", `line 2 "b 2 u x": value "x"`},
		{"bad timestamp", "a 1 u 1\nb 2020 u 1\nb -1 u 1\n", `line 3 "b -1 u 1": timestamp "-1"`},
		{"no format", "a 1 u 1\na 2\n", "line 2 \"a 2\": missing format"},
		{"bad format", "a 1 uq 1\n", `line 1 "a 1 uq 1"`},
		{"too many values", "a 1 u 1 2\n", "line 1"},
		{"trailing backslash", "a 1 u 1\\\n", "line 1"},
		{"repeat", "a 2 u 1\nb 1 u 1\na 1 u 1\nb 1 u 2\na 2 F 3\n", `line 4: key "b" at timestamp 1 repeats line 2`},
		{"long key", strings.Repeat("k", 70000) + " 1 u 1\n", "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDirEnv(t, nil)
			code, got := e.do("PUT", "/", tc.body)
			if code != http.StatusBadRequest || !strings.Contains(got, tc.want) || strings.Count(got, "\n") != 1 {
				t.Errorf("PUT: %d %q, want 400 and one line with %q", code, got, tc.want)
			}
			if got := e.must(http.StatusOK, "GET", "/%25", ""); got != "" {
				t.Errorf("rows after a rejected PUT: %q", got)
			}
			files, _ := os.ReadDir(e.dir)
			for _, f := range files {
				if f.Name() != "main" {
					t.Errorf("file %s after a rejected PUT", f.Name())
				}
			}
		})
	}
}

func TestPut_Empty(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "")
	e.put("", "\n\n  \n")
	if got := e.must(http.StatusOK, "GET", "/%25", ""); got != "" {
		t.Errorf("rows after empty PUTs: %q", got)
	}
}

func TestPut_Path(t *testing.T) {
	e := newDirEnv(t, nil)
	code, got := e.do("PUT", "/fib", "a 1 u 1\n")
	if code != http.StatusBadRequest || !strings.Contains(got, "PUT /") {
		t.Errorf("PUT /fib: %d %q, want 400 pointing at PUT /", code, got)
	}
	e.must(http.StatusBadRequest, "PUT", "/?timestamp-format=%25Q", "a 1 u 1\n")
	e.must(http.StatusBadRequest, "PUT", "/?human", "a 1 u 1\n")
}

func TestPut_LastWriterWins(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "k 1 u 1\nk 2 u 2\n")
	e.put("", "k 2 s two\n")
	if got := e.must(http.StatusOK, "GET", "/k", ""); got != "k\t1\t1\nk\t2\ttwo\n" {
		t.Errorf("GET: %q", got)
	}
}
