package text

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestUnescapeArg(t *testing.T) {
	tests := []struct {
		name, arg, want  string
		problem, escaped string // the ArgError's, when the argument is refused
	}{
		{name: "plain", arg: "abc", want: "abc"},
		{name: "empty", arg: "", want: ""},
		{name: "escaped space", arg: `a\ b`, want: "a b"},
		{name: "needless escape", arg: `\x`, want: "x"},
		{name: "escaped wildcard stays a wildcard", arg: `a\%`, want: "a%"},
		{name: "control escapes", arg: `\t\n\a\b\v\f\r`, want: "\t\n\a\b\v\f\r"},
		{name: "escaped backslash", arg: `a\\b`, want: `a\b`},
		{name: "escaped trailing space", arg: `abc\ `, want: "abc "},
		{name: "escaped raw tab", arg: "a\\\tb", want: "a\tb"},
		{name: "newline is no blank", arg: "a\nb", want: "a\nb"},
		{name: "utf-8", arg: "été", want: "été"},
		{name: "space", arg: "a b", problem: "an unescaped space", escaped: `a\ b`},
		{name: "space before wildcard", arg: "temp sensor%", problem: "an unescaped space", escaped: `temp\ sensor%`},
		{name: "leading space", arg: " a", problem: "an unescaped space", escaped: `\ a`},
		{name: "tab", arg: "a\tb", problem: "an unescaped tab", escaped: `a\tb`},
		{name: "first blank named", arg: "a\tb c", problem: "an unescaped tab", escaped: `a\tb\ c`},
		{name: "escapes kept as written", arg: `x\y a\ b c`, problem: "an unescaped space", escaped: `x\y\ a\ b\ c`},
		{name: "trailing backslash", arg: `a\`, problem: "a backslash at its end", escaped: `a\\`},
		{name: "escaped then lone backslash", arg: `a\\\`, problem: "a backslash at its end", escaped: `a\\\\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnescapeArg([]byte(tt.arg))
			if tt.problem == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("UnescapeArg(%q) = %q, %v; want %q", tt.arg, got, err, tt.want)
				}
				return
			}
			var ae *ArgError
			if !errors.As(err, &ae) {
				t.Fatalf("UnescapeArg(%q) = %q, %v; want an ArgError", tt.arg, got, err)
			}
			if ae.Arg != tt.arg || ae.Problem != tt.problem || ae.Escaped != tt.escaped {
				t.Errorf("ArgError %+v; want problem %q, escaped %q", *ae, tt.problem, tt.escaped)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.problem) || !strings.Contains(msg, tt.escaped) {
				t.Errorf("message %q names neither the problem nor the escaped form", msg)
			}
		})
	}
}

// literalArg reads arg with its escapes resolved and its blanks and a
// trailing backslash taken literally: what an argument that UnescapeArg
// refuses was probably meant to say.
func literalArg(arg []byte) []byte {
	var out []byte
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c == '\\' && i+1 < len(arg) {
			i++
			c = map[byte]byte{'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13}[arg[i]]
			if c == 0 {
				c = arg[i]
			}
		}
		out = append(out, c)
	}
	return out
}

func FuzzUnescapeArg(f *testing.F) {
	for _, s := range []string{"", "a b", `a\ b`, `\x`, "a\tb", `a\`, `a\\`, `abc\ `, "\\\t \\"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, arg []byte) {
		literal := literalArg(arg)
		got, err := UnescapeArg(arg)
		var ae *ArgError
		switch {
		case err == nil:
			if !slices.Equal(got, literal) {
				t.Fatalf("UnescapeArg(%q) = %q, want %q", arg, got, literal)
			}
			if toks, err := splitTokens(arg); err != nil || (len(arg) > 0 && (len(toks) != 1 || toks[0] != string(got))) {
				t.Fatalf("accepted %q, which splits into %q, %v", arg, toks, err)
			}
		case !errors.As(err, &ae):
			t.Fatalf("UnescapeArg(%q): %v is no ArgError", arg, err)
		default:
			again, err := UnescapeArg([]byte(ae.Escaped))
			if err != nil || !slices.Equal(again, literal) {
				t.Fatalf("escaped form %q of %q reads as %q, %v; want %q", ae.Escaped, arg, again, err, literal)
			}
		}
	})
}
