package text

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

func parseJSON(in string, o JSONOptions) (string, error) {
	var blocks []*format.Block
	err := ParseJSON(strings.NewReader(in), o, collect(&blocks))
	return readText(blocks), err
}

// TestParseJSON reads what read -o json writes, and objects with a time
// or without a format.
func TestParseJSON(t *testing.T) {
	tests := []struct {
		name, in string
		o        JSONOptions
		want     string
	}{
		{"chime's own", `{"key":"k","ts":1577836800000000000,"time":"2020-01-01T00:00:00Z","format":"uF","values":[1,2.5]}` + "\n" +
			`{"key":"k","ts":1577836800000000001,"time":"x","format":"Fs","values":["NaN","a b"]}` + "\n",
			JSONOptions{}, "k\t1577836800000000000\tuF\t1 2.50000000000000000\nk\t1577836800000000001\tFs\tNaN a\\ b\n"},
		{"time, default format, blank lines", "\n" + `{"key":"a","time":"2020-01-01","values":[-3]}` + "\r\n\n",
			JSONOptions{Format: "i"}, "a\t1577836800000000000\ti\t-3\n"},
		{"bytes", `{"key":"b","ts":1,"format":"B","values":["AAE="]}`, JSONOptions{}, "b\t1\tB\tAAE=\n"},
		{"64-bit", `{"key":"b","ts":1,"format":"UI","values":[18446744073709551615,-9223372036854775808]}`, JSONOptions{}, "b\t1\tUI\t18446744073709551615 -9223372036854775808\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseJSON(tt.in, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestParseJSON_Errors names the line and the field.
func TestParseJSON_Errors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"not json", "{\"key\":\"a\",\"ts\":1,\"format\":\"u\",\"values\":[1]}\nnope\n", []string{"line 2", "not a JSON object"}},
		{"no key", `{"ts":1,"format":"u","values":[1]}`, []string{"line 1", "key"}},
		{"no time", `{"key":"a","format":"u","values":[1]}`, []string{"line 1", "missing ts and time"}},
		{"no format", `{"key":"a","ts":1,"values":[1]}`, []string{"line 1", "missing format"}},
		{"count", `{"key":"a","ts":1,"format":"uu","values":[1]}`, []string{"line 1", "values", "1 values for format uu"}},
		{"range", `{"key":"a","ts":1,"format":"u","values":[4294967296]}`, []string{"line 1", "values[0]"}},
		{"string for int", `{"key":"a","ts":1,"format":"u","values":["1"]}`, []string{"values[0]", "is a string"}},
		{"number for s", `{"key":"a","ts":1,"format":"s","values":[1]}`, []string{"values[0]", "not a string"}},
		{"bad ts", `{"key":"a","ts":-1,"format":"u","values":[1]}`, []string{"column ts", "integer nanoseconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJSON(tt.in, JSONOptions{})
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want one line", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err %q does not say %q", err, w)
				}
			}
		})
	}
	var check format.OrderCheck
	err := ParseJSON(strings.NewReader(`{"key":"b","ts":1,"format":"u","values":[1]}`+"\n"+`{"key":"a","ts":1,"format":"u","values":[1]}`), JSONOptions{}, check.Check)
	if !errors.Is(err, format.ErrUnsorted) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("order: %v", err)
	}
}

// TestParseJSON_RoundTrip reads back what JSONFormatter writes (keys and
// strings valid UTF-8: JSON cannot carry other bytes).
func TestParseJSON_RoundTrip(t *testing.T) {
	blocks := randomBlocks(rand.New(rand.NewPCG(5, 6)), "uiUIfFsB", 300)
	var out []byte
	jf := &JSONFormatter{}
	for _, b := range blocks {
		out = jf.AppendRows(out, b, 0, b.Len())
	}
	got, err := parseJSON(string(out), JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := readText(blocks); got != want {
		t.Fatalf("round trip differs:\n%s\nwant\n%s", got, want)
	}
}

// FuzzParseJSON: any input gives rows or an error, never a panic; rows
// read print as JSON that reads back the same.
func FuzzParseJSON(f *testing.F) {
	f.Add(`{"key":"k","ts":1,"time":"x","format":"uFsB","values":[1,2.5,"s","AA=="]}` + "\n" + `{"key":"k","time":"2020-01-01","format":"F","values":["-inf"]}`)
	f.Fuzz(func(t *testing.T, in string) {
		var blocks []*format.Block
		if err := ParseJSON(strings.NewReader(in), JSONOptions{Format: "u"}, collect(&blocks)); err != nil {
			return
		}
		var out []byte
		jf := &JSONFormatter{}
		for _, b := range blocks {
			out = jf.AppendRows(out, b, 0, b.Len())
		}
		var again []*format.Block
		if err := ParseJSON(strings.NewReader(string(out)), JSONOptions{}, collect(&again)); err != nil {
			t.Fatalf("reading back %q: %v", out, err)
		}
		if readText(again) != readText(blocks) {
			t.Fatalf("read back\n%s\nwant\n%s", readText(again), readText(blocks))
		}
	})
}
