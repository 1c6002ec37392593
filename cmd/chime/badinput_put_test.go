package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestBadInput_Put sends every bad add input of the badInputs table that
// PUT can express through a real `chime serve`, as PUT lines (`KEY NANOS
// FORMAT VALUES`): each body is refused whole with a 4xx and one line that
// names the line when the CLI's error does, and nothing is committed. Left out: cases about add's
// command line, empty formats, and ordering (PUT sorts its body; repeats
// stay errors).
func TestBadInput_Put(t *testing.T) {
	db := newDB(t)
	p := startServe(t, db)
	before := listing(t, db)
	lineRE := regexp.MustCompile(`\bline [0-9]+\b`)
	sent := 0
	for _, tt := range badInputs {
		body, query, ok := putCase(tt.args, tt.stdin)
		if !ok || tt.status != 1 || strings.Contains(tt.name, "unsorted") || strings.Contains(tt.name, "time goes back") {
			continue
		}
		sent++
		code, msg := putRaw(t, p.url+"/"+query, body)
		if code < 400 || code >= 500 {
			t.Errorf("%s: PUT answered %d %q, want a 4xx", tt.name, code, msg)
			continue
		}
		namesLine := len(tt.want) > 0 && strings.HasPrefix(tt.want[0], `\bline`)
		if strings.Count(strings.TrimSuffix(msg, "\n"), "\n") != 0 || namesLine && code == http.StatusBadRequest && !lineRE.MatchString(msg) {
			t.Errorf("%s: PUT answered %d %q, want one line naming the line", tt.name, code, msg)
		}
	}
	if sent < 60 {
		t.Fatalf("only %d cases sent through PUT, want at least 60", sent)
	}
	if got := readAll(t, db); got != "" {
		t.Fatalf("rejected PUTs committed rows:\n%s", got)
	}
	if after := listing(t, db); !slices.Equal(after, before) {
		t.Fatalf("rejected PUTs changed the database: %v, was %v", after, before)
	}
	t.Logf("%d bad inputs refused through PUT", sent)
}

// putCase turns an add case into a PUT body and query; ok is false when
// PUT cannot express it.
func putCase(args []string, stdin func() string) (body, query string, ok bool) {
	if len(args) < 3 || args[0] != "add" || args[1] != "-f" || args[2] == "" {
		return "", "", false
	}
	format := args[2]
	switch rest := args[3:]; {
	case len(rest) == 2 && rest[0] == "--timestamp-format":
		query = "?timestamp-format=" + url.QueryEscape(rest[1])
	case len(rest) > 0:
		return "", "", false
	}
	lines := strings.SplitAfter(stdin(), "\n")
	for i, l := range lines {
		lines[i] = insertFormat(l, format)
	}
	return strings.Join(lines, ""), query, true
}

// insertFormat puts format after the second token (key, timestamp) of an
// add line; a line with fewer tokens stays as it is.
func insertFormat(line, format string) string {
	tokens, i := 0, 0
	for i < len(line) && tokens < 2 {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) || line[i] == '\n' || line[i] == '\r' {
			return line
		}
		for i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != '\n' && line[i] != '\r' {
			if line[i] == '\\' {
				i++
			}
			i++
		}
		tokens++
	}
	return line[:min(i, len(line))] + " " + format + line[min(i, len(line)):]
}

func putRaw(t *testing.T, target, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}
