package server

import "testing"

func TestGet_Span(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "a 100 u 1\na 300 u 2\nb 50 u 3\nc 1000 u 4\n")
	tests := []struct{ path, want string }{
		{"/a?span", `{"first":100,"last":300,"rows":2}` + "\n"},
		{"/?span&filter=a&filter=b", `{"first":50,"last":300,"rows":3}` + "\n"},
		{"/%25?span&after-time=200", `{"first":200,"last":1000,"rows":3}` + "\n"},
		{"/nosuch?span", `{"rows":0}` + "\n"},
		{"/?span", `{"rows":0}` + "\n"}, // no filter selects nothing, as reads
	}
	for _, tt := range tests {
		if got := e.must(200, "GET", tt.path, ""); got != tt.want {
			t.Errorf("GET %s = %q, want %q", tt.path, got, tt.want)
		}
	}
	if code, _ := e.do("GET", "/a?span&bogus=1", ""); code != 400 {
		t.Errorf("GET /a?span&bogus=1: %d, want 400", code)
	}
}
