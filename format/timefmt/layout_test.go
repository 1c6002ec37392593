package timefmt

import (
	"strings"
	"testing"
)

// TestParseLayout_Errors checks that bad patterns fail when compiled,
// naming the pattern and the offending specifier.
func TestParseLayout_Errors(t *testing.T) {
	tests := []struct{ layout, err string }{
		{"%Q", `unknown specifier "%Q"`},
		{"%F %", `ends with an incomplete specifier "%"`},
		{"%-", `ends with an incomplete specifier "%-"`},
		{"%.x", `unknown specifier "%.x"`},
		{"%.4f", `unknown specifier "%.4"`},
		{"%4f", `unknown specifier "%4f"`},
		{"%:y", `unknown specifier "%:y"`},
		{"%é", `unknown specifier "%é"`},
		{"%-F", `padding modifier in "%-F"`},
		{"%_a", `padding modifier in "%_a"`},
		{"%0%", `padding modifier in "%0%"`},
		{"%-.f", `padding modifier in "%-.f"`},
	}
	for _, tt := range tests {
		l, err := ParseLayout(tt.layout)
		if err == nil {
			t.Errorf("ParseLayout(%q) = %v, want an error", tt.layout, l)
			continue
		}
		prefix := "timestamp format " + `"` + tt.layout + `": `
		if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.err) {
			t.Errorf("ParseLayout(%q) error %q, want %q...%q", tt.layout, msg, prefix, tt.err)
		}
	}
}

// TestParseLayout_Items checks how text is split: whitespace runs
// become items of their own (they match any whitespace when parsing).
func TestParseLayout_Items(t *testing.T) {
	l := mustLayout(t, "at %H\t h %%x\u00a0y")
	want := []timeItem{lit("at"), space(" "), num(opHour), space("\t "), lit("h"), space(" "), lit("%"),
		lit("x"), space("\u00a0"), lit("y")}
	if len(l.items) != len(want) {
		t.Fatalf("items = %+v, want %+v", l.items, want)
	}
	for i := range want {
		if l.items[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, l.items[i], want[i])
		}
	}
	if l.String() != "at %H\t h %%x\u00a0y" {
		t.Errorf("String() = %q", l.String())
	}
}

// TestParseLayout_Fast checks which layouts take the fast path.
func TestParseLayout_Fast(t *testing.T) {
	tests := []struct {
		layout                    string
		fast, restFrac, parseFast bool
	}{
		{DefaultLayout, true, true, true},
		{"%FT%T", true, true, true},
		{"%Y-%m-%d %H:%M:%S", true, true, true},
		{"%FT%T%.f", true, true, true},
		{"%F %T%.6f", true, true, true},
		{"%F_%T%.fZ", true, true, false},
		{"%F %T%3f", true, true, false},
		{"%F %T %z", true, true, false},
		{"%F %T %j", true, false, false},
		{"%F  %T", false, false, false},
		{"%F%T", false, false, false},
		{"%Y-%m-%-d %T", false, false, false},
		{"%F %-H:%M:%S", false, false, false},
		{"%d-%m-%Y %T", false, false, false},
	}
	for _, tt := range tests {
		l := mustLayout(t, tt.layout)
		if l.fast != tt.fast || l.restFrac != tt.restFrac || l.parseFast != tt.parseFast {
			t.Errorf("%q: fast %v restFrac %v parseFast %v, want %v %v %v", tt.layout,
				l.fast, l.restFrac, l.parseFast, tt.fast, tt.restFrac, tt.parseFast)
		}
	}
}
