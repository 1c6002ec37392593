package text

import (
	"errors"
	"slices"
	"testing"
)

// splitTokens returns every token of line, copied, or the first error.
func splitTokens(line []byte) ([]string, error) {
	var toks []string
	var buf []byte
	for {
		tok, rest, nb, err := NextToken(line, buf)
		if err != nil {
			return toks, err
		}
		if tok == nil {
			return toks, nil
		}
		toks = append(toks, string(tok))
		line, buf = rest, nb
	}
}

func TestNextToken(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string
		err  error
	}{
		{"empty", "", nil, nil},
		{"blanks only", " \t  ", nil, nil},
		{"one", "abc", []string{"abc"}, nil},
		{"runs of blanks", "  a \t\tb  c\t", []string{"a", "b", "c"}, nil},
		{"escaped space", `my\ key 1`, []string{"my key", "1"}, nil},
		{"control escapes", `bell\a\b\v\f\r`, []string{"bell\a\b\v\f\r"}, nil},
		{"tab and newline", `tab\there nl\nx`, []string{"tab\there", "nl\nx"}, nil},
		{"backslash", `back\\slash`, []string{`back\slash`}, nil},
		{"other char is itself", `q\qz \%`, []string{"qqz", "%"}, nil},
		{"escaped tab char", "a\\\tb", []string{"a\tb"}, nil},
		{"utf-8 raw", "été x", []string{"été", "x"}, nil},
		{"only an escape", `\ `, []string{" "}, nil},
		{"trailing backslash", `abc\`, nil, errTrailingBackslash},
		{"trailing backslash later", `a b\`, []string{"a"}, errTrailingBackslash},
		{"escaped backslash at end", `a\\`, []string{`a\`}, nil},
		{"newline is not a blank", "a\nb", []string{"a\nb"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitTokens([]byte(tt.line))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("tokens = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNextToken_AliasesLineWithoutEscapes(t *testing.T) {
	line := []byte("  key rest")
	tok, rest, _, err := NextToken(line, nil)
	if err != nil || string(tok) != "key" || string(rest) != " rest" {
		t.Fatalf("NextToken = %q, %q, %v", tok, rest, err)
	}
	if &tok[0] != &line[2] {
		t.Error("token without escapes was copied")
	}
}

func TestNextToken_ReusesBuf(t *testing.T) {
	buf := make([]byte, 0, 64)
	tok, _, nb, err := NextToken([]byte(`a\ b`), buf)
	if err != nil || string(tok) != "a b" {
		t.Fatalf("NextToken = %q, %v", tok, err)
	}
	if &nb[:1][0] != &buf[:1][0] {
		t.Error("buf was not reused")
	}
}

func TestAppendEscaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"my key", `my\ key`},
		{"a\tb", `a\tb`},
		{"bell\a\b\v\f\r\n", `bell\a\b\v\f\r\n`},
		{`back\slash`, `back\\slash`},
		{"été", "été"},
		{"\x00\x7f%", "\x00\x7f%"},
		{"  ", `\ \ `},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := AppendEscaped([]byte("pre:"), []byte(tt.in))
			if string(got) != "pre:"+tt.want {
				t.Errorf("AppendEscaped(%q) = %q, want %q", tt.in, got, "pre:"+tt.want)
			}
		})
	}
}

// checkEscapeRoundTrip asserts that every non-empty s escapes to one token
// that unescapes to s.
func checkEscapeRoundTrip(t *testing.T, s []byte) {
	t.Helper()
	if len(s) == 0 {
		return
	}
	esc := AppendEscaped(nil, s)
	toks, err := splitTokens(append(esc, " \tnext"...))
	if err != nil || len(toks) != 2 || toks[0] != string(s) || toks[1] != "next" {
		t.Fatalf("escaped %q as %q, which splits into %q, %v", s, esc, toks, err)
	}
}

func TestAppendEscaped_RoundTrip(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{"a", " ", `\`, "\\\\ ", string(all), "\t\n"} {
		checkEscapeRoundTrip(t, []byte(s))
	}
}

// refTokens is a plain restatement of the token rules, for the fuzz test.
func refTokens(line []byte) ([]string, error) {
	var toks []string
	var cur []byte
	in := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if in {
				toks, cur, in = append(toks, string(cur)), cur[:0], false
			}
			continue
		case c == '\\':
			i++
			if i == len(line) {
				return toks, errTrailingBackslash
			}
			c = map[byte]byte{'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13}[line[i]]
			if c == 0 {
				c = line[i]
			}
		}
		cur, in = append(cur, c), true
	}
	if in {
		toks = append(toks, string(cur))
	}
	return toks, nil
}

func FuzzNextToken(f *testing.F) {
	for _, s := range []string{"", "a b", `my\ key 1 x\\y`, `a\`, "\t\\\t x", `\a\b\t\n\v\f\r\q`, "é \xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := splitTokens(line)
		want, wantErr := refTokens(line)
		if !errors.Is(err, wantErr) || !slices.Equal(got, want) {
			t.Fatalf("tokens %q, %v; want %q, %v", got, err, want, wantErr)
		}
		checkEscapeRoundTrip(t, line)
		var joined []byte
		for i, tok := range got {
			if tok == "" {
				t.Fatal("empty token")
			}
			if i > 0 {
				joined = append(joined, ' ')
			}
			joined = AppendEscaped(joined, []byte(tok))
		}
		again, err := splitTokens(joined)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("re-escaped %q splits into %q, %v", joined, again, err)
		}
	})
}
