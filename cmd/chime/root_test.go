package main

import "testing"

func TestCommandName(t *testing.T) {
	root := newRoot(&globals{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"read", "k"}, "read"},
		{[]string{"-d", "db", "add"}, "add"},
		{[]string{"-d", "read", "keys"}, "keys"}, // a value like a command
		{[]string{"-dread", "keys"}, "keys"},     // attached shorthand value
		{[]string{"-d=read", "keys"}, "keys"},    // pflag's -d=VALUE
		{[]string{"--dir", "read", "stats"}, "stats"},
		{[]string{"--dir=read", "stats"}, "stats"},
		{[]string{"--no-mmap", "read"}, "read"}, // a bool takes no value
		{[]string{"--cache", "c", "--no-mmap", "check"}, "check"},
		{[]string{"help", "read"}, ""},           // the whole tree for help
		{[]string{"__complete", "read", ""}, ""}, // and for completion
		{[]string{"completion", "bash"}, ""},
		{[]string{"raed"}, ""}, // and for suggestions
		{[]string{"--version"}, ""},
		{[]string{"--bogus", "read"}, ""}, // unknown flag: leave it to cobra
		{[]string{"-x", "read"}, ""},
		{[]string{"--", "read"}, ""},
		{[]string{"-d"}, ""},
	} {
		if got := commandName(root, tc.args); got != tc.want {
			t.Errorf("commandName(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
