package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// badInputs is the table of malformed inputs and command lines: each must
// be refused with the right exit status (1 for bad input, 2 for a bad
// command line) and one line on stderr, `chime: ...`, that names the line
// (for input) and the offending text, and must leave the database as it
// was: no new file, no temporary file.
//
// Values of flags that chime itself parses (formats, times, column lists)
// exit with status 1, as sonnerie's did (see add_integers.txtar and
// delete.txtar); what cobra refuses (unknown flags, missing values, bools,
// sizes, conflicts, arguments) exits with 2.
//
// Decision on invalid UTF-8: keys and s values are byte strings, stored
// and printed back byte for byte, as sonnerie's users' pipelines expect;
// see TestAdd_InvalidUTF8 (accepted, not in this table).
var badInputs = []struct {
	name   string
	args   []string // after -d DB
	stdin  func() string
	status int
	want   []string // regexps the error line must match
}{
	// timestamps
	{"timestamp not a number", add("u"), in("a 1 1\na x 1\n"), 1, lineAnd(2, `"x"`)},
	{"timestamp negative", add("u"), in("a -5 1\n"), 1, lineAnd(1, `"-5"`)},
	{"timestamp over 2^64-1", add("u"), in("a 18446744073709551616 1\n"), 1, lineAnd(1, `"18446744073709551616"`, "out of range")},
	{"timestamp fraction", add("u"), in("a 1.5 1\n"), 1, lineAnd(1, `"1\.5"`)},
	{"timestamp hex", add("u"), in("a 0x10 1\n"), 1, lineAnd(1, `"0x10"`)},
	{"timestamp exponent", add("u"), in("a 1e9 1\n"), 1, lineAnd(1, `"1e9"`)},
	{"timestamp missing", add("u"), in("a 1 1\nb\n"), 1, lineAnd(2, "missing timestamp")},
	{"timestamp month 13", add("u", "--timestamp-format", "%FT%T"), in("a 2020-13-01T00:00:00 1\n"), 1, lineAnd(1, `"2020-13-01T00:00:00"`)},
	{"timestamp 30 February", add("u", "--timestamp-format", "%FT%T"), in("a 2020-02-30T00:00:00 1\n"), 1, lineAnd(1, `"2020-02-30T00:00:00"`, "invalid date")},
	{"timestamp hour 25", add("u", "--timestamp-format", "%FT%T"), in("a 2020-01-01T25:00:00 1\n"), 1, lineAnd(1, `"2020-01-01T25:00:00"`)},
	{"timestamp date only", add("u", "--timestamp-format", "%FT%T"), in("a 2020-01-01 1\n"), 1, lineAnd(1, `"2020-01-01"`)},
	{"timestamp trailing text", add("u", "--timestamp-format", "%FT%T"), in("a 2020-01-01T00:00:00.5 1\n"), 1, lineAnd(1, `"2020-01-01T00:00:00\.5"`)},
	{"timestamp before 1970", add("u", "--timestamp-format", "%FT%T"), in("a 1969-12-31T23:59:59 1\n"), 1, lineAnd(1, `"1969-12-31T23:59:59"`)},
	{"timestamp after 2554", add("u", "--timestamp-format", "%FT%T"), in("a 2600-01-01T00:00:00 1\n"), 1, lineAnd(1, `"2600-01-01T00:00:00"`)},
	{"timestamp unescaped space", add("u", "--timestamp-format", "%F %T"), in("a 2020-01-01 00:00:00 1\n"), 1, lineAnd(1, `"2020-01-01"`)},
	{"timestamp bad zone", add("u", "--timestamp-format", "%FT%T%z"), in("a 2020-01-01T00:00:00+2500 1\n"), 1, lineAnd(1, `"2020-01-01T00:00:00\+2500"`)},

	// column counts
	{"no value", add("u"), in("a 1\n"), 1, lineAnd(1, `0 values for format "u"`)},
	{"one value too many", add("u"), in("a 1 1 2\n"), 1, lineAnd(1, `2 values for format "u"`)},
	{"one value of two", add("uu"), in("a 1 1\n"), 1, lineAnd(1, `1 value for format "uu"`)},
	{"missing number after a string", add("su"), in("a 1 x\n"), 1, lineAnd(1, `1 value for format "su"`)},
	{"three strings for two", add("ss"), in("a 1 x y z\n"), 1, lineAnd(1, `3 values for format "ss"`)},
	{"escaped space joins values", add("uu"), in("a 1 1\\ 2\n"), 1, lineAnd(1, `"1 2"`)},

	// out-of-range and malformed numbers, every code
	{"u over 2^32-1", add("u"), in("a 1 4294967296\n"), 1, lineAnd(1, `"4294967296"`, `\(u\)`)},
	{"u negative", add("u"), in("a 1 -1\n"), 1, lineAnd(1, `"-1"`, `\(u\)`)},
	{"U over 2^64-1", add("U"), in("a 1 18446744073709551616\n"), 1, lineAnd(1, `"18446744073709551616"`, `\(U\)`)},
	{"U negative", add("U"), in("a 1 -1\n"), 1, lineAnd(1, `"-1"`, `\(U\)`)},
	{"i over 2^31-1", add("i"), in("a 1 2147483648\n"), 1, lineAnd(1, `"2147483648"`, `\(i\)`)},
	{"i under -2^31", add("i"), in("a 1 -2147483649\n"), 1, lineAnd(1, `"-2147483649"`, `\(i\)`)},
	{"I over 2^63-1", add("I"), in("a 1 9223372036854775808\n"), 1, lineAnd(1, `"9223372036854775808"`, `\(I\)`)},
	{"I under -2^63", add("I"), in("a 1 -9223372036854775809\n"), 1, lineAnd(1, `"-9223372036854775809"`, `\(I\)`)},
	{"f over float32", add("f"), in("a 1 1e39\n"), 1, lineAnd(1, `"1e39"`, `\(f\)`, "out of range")},
	{"F over float64", add("F"), in("a 1 1e400\n"), 1, lineAnd(1, `"1e400"`, `\(F\)`, "out of range")},
	{"u fraction", add("u"), in("a 1 1.5\n"), 1, lineAnd(1, `"1\.5"`)},
	{"i hex", add("i"), in("a 1 0x10\n"), 1, lineAnd(1, `"0x10"`)},
	{"I underscore", add("I"), in("a 1 1_000\n"), 1, lineAnd(1, `"1_000"`)},
	{"F hex float", add("F"), in("a 1 0x1p3\n"), 1, lineAnd(1, `"0x1p3"`)},
	{"F two points", add("F"), in("a 1 1.5.5\n"), 1, lineAnd(1, `"1\.5\.5"`)},
	{"f word", add("f"), in("a 1 abc\n"), 1, lineAnd(1, `"abc"`)},
	{"u sign alone", add("u"), in("a 1 +\n"), 1, lineAnd(1, `"\+"`)},
	{"i double sign", add("i"), in("a 1 --1\n"), 1, lineAnd(1, `"--1"`)},
	{"second column bad", add("uF"), in("a 1 1 x\n"), 1, lineAnd(1, `"x"`, `column 2 \(F\)`)},

	// escapes
	{"backslash ends the key", add("u"), in("a\\\n"), 1, lineAnd(1, "backslash at end of line")},
	{"backslash ends a value", add("s"), in("a 1 x\\\n"), 1, lineAnd(1, "backslash at end of line")},
	{"backslash ends a number", add("u"), in("a 1 1\\\n"), 1, lineAnd(1, "backslash at end of line")},
	{"backslash ends a CRLF line", add("u"), in("a 1 1\\\r\n"), 1, lineAnd(1, "")},
	{"escaped space in a number", add("u"), in("a 1 1\\ \n"), 1, lineAnd(1, `"1 "`)},

	// base64
	{"base64 one char", add("B"), in("a 1 a\n"), 1, lineAnd(1, `"a"`, "invalid base64")},
	{"base64 punctuation", add("B"), in("a 1 !!!!\n"), 1, lineAnd(1, `"!!!!"`, "invalid base64")},
	{"base64 too much padding", add("B"), in("a 1 AQI==\n"), 1, lineAnd(1, `"AQI=="`, "invalid base64")},
	{"base64 padding inside", add("B"), in("a 1 AQ=I\n"), 1, lineAnd(1, `"AQ=I"`, "invalid base64")},
	{"base64 url alphabet", add("B"), in("a 1 -_-_\n"), 1, lineAnd(1, `"-_-_"`, "invalid base64")},

	// huge lines and keys
	{"line over 16 MiB", add("s"), huge(3, 16<<20+1), 1, lineAnd(3, `line starting "k\\\\ 3 3 xxx`, "16777216")},
	{"line over 16 MiB at the end, no newline", add("s"), hugeTail(16<<20 + 100), 1, lineAnd(2, "longer than the limit of 16777216 bytes")},
	{"key over 64 KiB", add("u"), in("a 1 1\n" + strings.Repeat("k", 65537) + " 1 1\n"), 1, lineAnd(2, `"kkkk`, "65537 bytes")},

	// order
	{"keys unsorted", add("u"), in("b 1 1\na 1 1\n"), 1, lineAnd(2, `key "a" comes after key "b" of line 1`)},
	{"time goes back", add("u"), in("a 2 1\na 1 1\n"), 1, lineAnd(2, `key "a": timestamp 1 is not after timestamp 2 of line 1`)},
	{"duplicate row", add("u"), in("a 1 1\na 1 1\n"), 1, lineAnd(2, `timestamp 1 is not after timestamp 1`)},
	{"duplicate after blank lines", add("u"), in("a 1 1\n\n \t\na 1 2\n"), 1, lineAnd(4, "not after")},
	{"unsorted after many rows", add("u"), rows(100000, "a 1 1\n"), 1, lineAnd(100001, `key "a" comes after key "k099999"`)},
	{"bad value after many rows", add("u"), rows(100000, "k100000 1 oops\n"), 1, lineAnd(100001, `"oops"`)},

	// formats
	{"format unknown code", add("x"), in("a 1 1\n"), 1, []string{`\bx\b`}},
	{"format one bad code", add("uq"), in("a 1 1 1\n"), 1, []string{`'q'`}},
	{"format empty", add(""), in("a 1 1\n"), 1, []string{"empty format"}},
	{"format too wide", add(strings.Repeat("u", 256)), in("a 1 1\n"), 1, []string{"256 columns"}},
	{"timestamp format unknown", add("u", "--timestamp-format", "%Q"), in("a 1 1\n"), 1, []string{`"%Q"`}},

	// add's command line
	{"add without --format", []string{"add"}, in("a 1 1\n"), 2, []string{"format"}},
	{"add with an argument", add("u", "extra"), in("a 1 1\n"), 2, []string{`"extra"`}},
	{"add --min-free not a size", add("u", "--min-free", "10X"), in("a 1 1\n"), 2, []string{`"10X"`, "min-free"}},
	{"add --min-free negative", add("u", "--min-free", "-1"), in("a 1 1\n"), 2, []string{`"-1"`, "min-free"}},
	{"add --no-sync not a bool", add("u", "--no-sync=maybe"), in("a 1 1\n"), 2, []string{`"maybe"`, "no-sync"}},
	{"add unknown flag", add("u", "--bogus"), in("a 1 1\n"), 2, []string{"bogus"}},
	{"add free space below the floor", add("u", "--min-free", "1000000T"), in("a 1 1\n"), 1, []string{"not enough free disk space", "bytes free", "1099511627776000000 needed"}},

	// read's command line
	{"read without filter", []string{"read"}, in(""), 2, []string{"FILTER|filter"}},
	{"read --after-time without value", []string{"read", "%", "--after-time"}, in(""), 2, []string{"after-time"}},
	{"read --after-time not a time", []string{"read", "%", "--after-time", "yesterday"}, in(""), 1, []string{`"yesterday"`}},
	{"read --before-time month 13", []string{"read", "%", "--before-time", "2020-13-01"}, in(""), 1, []string{`"2020-13-01"`, "month 13"}},
	{"read inverted key range", []string{"read", "--after-key", "b", "--before-key", "a"}, in(""), 2, []string{"after-key|before-key"}},
	{"read conflicting timestamp flags", []string{"read", "%", "--timestamp-nanos", "--timestamp-seconds"}, in(""), 2, []string{"timestamp-nanos|timestamp-seconds"}},
	{"read unknown flag", []string{"read", "%", "--bogus"}, in(""), 2, []string{"bogus"}},
	{"read bad column list", []string{"read", "%", "-C", "x"}, in(""), 1, []string{`"x"`}},
	{"read bad timestamp format", []string{"read", "%", "--timestamp-format", "%Q"}, in(""), 1, []string{`%Q`}},
	{"read filter and key bound", []string{"read", "a%", "--after-key", "a"}, in(""), 2, []string{"after-key|FILTER|filter"}},

	// delete's command line
	{"delete without selector", []string{"delete"}, in(""), 2, []string{"FILTER|selector"}},
	{"delete two filters", []string{"delete", "a", "b"}, in(""), 2, []string{`"b"`}},
	{"delete --time with --after-time", []string{"delete", "--time", "2020-01-01", "--after-time", "2020-01-02"}, in(""), 2, []string{"time"}},
	{"delete --time not a time", []string{"delete", "--time", "yesterday"}, in(""), 1, []string{`"yesterday"`}},
	{"delete --no-sync not a bool", []string{"delete", "a", "--no-sync=2"}, in(""), 2, []string{"no-sync"}},
	{"delete filter with an unescaped space", []string{"delete", "a b"}, in(""), 2, []string{`"a b"`, `'a\\ b'`}},
	{"delete --after-key with an unescaped tab", []string{"delete", "--after-key", "a\tb"}, in(""), 2, []string{"after-key", `'a\\tb'`}},
	{"delete --before-key ending in a backslash", []string{"delete", "--before-key", `b\`}, in(""), 2, []string{"before-key", `'b\\\\'`}},

	// compact's command line
	{"compact --timestamp-format without --gegnum", []string{"compact", "--timestamp-format", "%s"}, in(""), 2, []string{"gegnum"}},
	{"compact with an argument", []string{"compact", "extra"}, in(""), 2, []string{`"extra"`}},
	{"compact --major not a bool", []string{"compact", "--major=maybe"}, in(""), 2, []string{`"maybe"`}},
	{"compact unknown flag", []string{"compact", "--bogus"}, in(""), 2, []string{"bogus"}},
	{"compact gegnum bad timestamp format", []string{"compact", "--gegnum", "cat", "--timestamp-format", "%Q"}, in(""), 1, []string{`%Q`}},
}

func add(format string, more ...string) []string {
	return append([]string{"add", "-f", format}, more...)
}

func in(s string) func() string { return func() string { return s } }

// lineAnd is the regexps of an input error on line n naming texts.
func lineAnd(n int, texts ...string) []string {
	return append([]string{fmt.Sprintf(`\bline %d\b`, n)}, texts...)
}

// huge is line n of n lines, of size bytes without its newline.
func huge(n, size int) func() string {
	return func() string {
		var sb strings.Builder
		for i := 1; i < n; i++ {
			fmt.Fprintf(&sb, "k\\ %d %d x\n", i, i)
		}
		head := fmt.Sprintf("k\\ %d %d ", n, n)
		sb.WriteString(head + strings.Repeat("x", size-len(head)) + "\n")
		return sb.String()
	}
}

// hugeTail is one good line and a last line of size bytes without a
// newline.
func hugeTail(size int) func() string {
	return func() string { return "a 1 x\nb 1 " + strings.Repeat("y", size-4) }
}

// rows is n good sorted rows, then last.
func rows(n int, last string) func() string {
	return func() string {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "k%06d 1 %d\n", i, i)
		}
		return sb.String() + last
	}
}

// TestBadInput runs the table with stdin a pipe and, for add, a file too:
// add parses a regular file in place (mapInput) and a pipe as it reads.
func TestBadInput(t *testing.T) {
	if len(badInputs) < 60 {
		t.Fatalf("the table has %d cases, want at least 60", len(badInputs))
	}
	template := badInputDB(t)
	before := listing(t, template)
	for _, tt := range badInputs {
		for _, file := range []bool{false, true} {
			if file && tt.args[0] != "add" {
				continue
			}
			t.Run(fmt.Sprintf("%s/stdin_file=%v", tt.name, file), func(t *testing.T) {
				t.Parallel()
				db := filepath.Join(t.TempDir(), "db")
				copyDir(t, template, db)
				args := append([]string{"-d", db}, tt.args...)
				var stdout, stderr string
				var status int
				if file {
					stdout, stderr, status = runStatusFile(t, tt.stdin(), args...)
				} else {
					stdout, stderr, status = runStatus(t, tt.stdin(), args...)
				}
				if status != tt.status {
					t.Errorf("exit status %d, want %d; stderr %q", status, tt.status, stderr)
				}
				checkErrLine(t, stderr, tt.want)
				if stdout != "" {
					t.Errorf("stdout %q", stdout)
				}
				if after := listing(t, db); !slices.Equal(after, before) {
					t.Errorf("the database changed: %v, was %v", after, before)
				}
			})
		}
	}
}

// checkErrLine checks chime's error contract: one line, "chime: ...",
// matching every regexp.
func checkErrLine(t *testing.T, stderr string, want []string) {
	t.Helper()
	line, ok := strings.CutSuffix(stderr, "\n")
	if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, "chime: ") {
		t.Fatalf("stderr is not one line starting %q: %.300q", "chime: ", stderr)
	}
	for _, w := range want {
		if !regexp.MustCompile(w).MatchString(line) {
			t.Errorf("error %.300q does not match %q", line, w)
		}
	}
}

// badInputDB is a database with a main and a transaction, for the table.
func badInputDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	chime(t, "", "init", db)
	chime(t, "a 1 1\nb 2 2\n", "-d", db, "add", "-f", "u")
	chime(t, "", "-d", db, "compact", "--major")
	chime(t, "c 1 x\n", "-d", db, "add", "-f", "s")
	return db
}

// listing is the database's files with their sizes, lock files aside; a
// temporary file left behind shows too.
func listing(t testing.TB, db string) []string {
	t.Helper()
	entries, err := os.ReadDir(db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d", e.Name(), info.Size()))
	}
	return out
}

// runStatus runs the chime binary and returns its output and exit status.
func runStatus(t testing.TB, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runWith(t, strings.NewReader(stdin), args...)
}

// runStatusFile is runStatus with stdin a regular file holding stdin.
func runStatusFile(t testing.TB, stdin string, args ...string) (string, string, int) {
	t.Helper()
	f := stdinFile(t, stdin)
	defer f.Close()
	return runWith(t, f, args...)
}

// stdinFile is a regular file holding s, open for reading.
func stdinFile(t testing.TB, s string) *os.File {
	t.Helper()
	name := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runWith runs the chime binary with stdin and returns its output and
// exit status. An *os.File stdin is the child's own.
func runWith(t testing.TB, stdin io.Reader, args ...string) (string, string, int) {
	t.Helper()
	bin, err := chimeBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// TestAdd_InvalidUTF8: keys and strings are bytes. Invalid UTF-8 is
// accepted, stored and printed back byte for byte (escaped as any other
// byte would be), so pipelines of arbitrary bytes round-trip.
func TestAdd_InvalidUTF8(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	chime(t, "", "init", db)
	input := "caf\xe9 1 \xff\xfe\xfd\n\xc0\xaf 2 x\xed\xa0\x80y\n"
	chime(t, input, "-d", db, "add", "-f", "s")
	got := chime(t, "", "-d", db, "read", "%", "--timestamp-nanos")
	want := "caf\xe9\t1\t\xff\xfe\xfd\n\xc0\xaf\t2\tx\xed\xa0\x80y\n"
	if got != want {
		t.Fatalf("read %q, want %q", got, want)
	}
}
