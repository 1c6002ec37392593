package text

import "strconv"

// ArgError is UnescapeArg's error: the argument is not exactly one token.
type ArgError struct {
	// Arg is the argument as given.
	Arg string
	// Problem says what is wrong: "an unescaped space", "an unescaped
	// tab" or "a backslash at its end".
	Problem string
	// Escaped is the argument with its unescaped blanks escaped (a space
	// as `\ `, a tab as `\t`) and a lone trailing backslash doubled: the
	// one token the argument spells when its blanks are meant literally.
	Escaped string
}

func (e *ArgError) Error() string {
	return strconv.Quote(e.Arg) + " holds " + e.Problem + " (one escaped token expected: " + e.Escaped + ")"
}

// UnescapeArg reads a command-line argument that stands for one input
// token, escaped as in add's input (see NextToken): `a\ b` is the key
// `a b`, `\x` is `x`. This is how sonnerie reads delete's key arguments.
// Where sonnerie silently cut such an argument at its first unescaped
// space or tab, UnescapeArg refuses it with an *ArgError that carries the
// escaped form, and it refuses a backslash at the end like NextToken
// does. The empty argument is the empty token. The result never aliases
// arg.
func UnescapeArg(arg []byte) ([]byte, error) {
	tok := make([]byte, 0, len(arg))
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		switch {
		case c == '\\' && i+1 == len(arg):
			return nil, newArgError(arg, "a backslash at its end")
		case c == '\\':
			i++
			c = unescapeTab[arg[i]]
		case c == ' ':
			return nil, newArgError(arg, "an unescaped space")
		case c == '\t':
			return nil, newArgError(arg, "an unescaped tab")
		}
		tok = append(tok, c)
	}
	return tok, nil
}

// newArgError describes arg's problem with the escaped form of arg.
func newArgError(arg []byte, problem string) *ArgError {
	return &ArgError{Arg: string(arg), Problem: problem, Escaped: string(escapeBlanks(arg))}
}

// escapeBlanks returns arg with its unescaped spaces and tabs escaped and
// a lone trailing backslash doubled; its existing escapes are kept as
// written.
func escapeBlanks(arg []byte) []byte {
	out := make([]byte, 0, len(arg)+8)
	for i := 0; i < len(arg); i++ {
		switch c := arg[i]; {
		case c == '\\' && i+1 < len(arg):
			out = append(out, c, arg[i+1])
			i++
		case c == '\\':
			out = append(out, `\\`...)
		case c == '\t':
			out = append(out, `\t`...)
		case c == ' ':
			out = append(out, `\ `...)
		default:
			out = append(out, c)
		}
	}
	return out
}
