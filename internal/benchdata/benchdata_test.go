package benchdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// row is one parsed output line.
type row struct {
	key   string
	ts    uint64
	value string
}

func generate(t *testing.T, c Config) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, c); err != nil {
		t.Fatalf("Write(%+v): %v", c, err)
	}
	return buf.Bytes()
}

func parseRows(t *testing.T, data []byte) []row {
	t.Helper()
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("output does not end with a newline")
	}
	var rows []row
	for line := range strings.Lines(string(data)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), " ")
		if len(f) != 3 {
			t.Fatalf("line %q: want 3 fields separated by single spaces", line)
		}
		ts, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			t.Fatalf("line %q: timestamp: %v", line, err)
		}
		rows = append(rows, row{f[0], ts, f[2]})
	}
	return rows
}

// byKey groups rows by key, checking that keys come in increasing order,
// each in one run.
func byKey(t *testing.T, rows []row) (keys []string, m map[string][]row) {
	t.Helper()
	m = map[string][]row{}
	for i, r := range rows {
		if i > 0 && r.key != rows[i-1].key {
			if r.key < rows[i-1].key {
				t.Fatalf("row %d: key %q after %q", i, r.key, rows[i-1].key)
			}
		}
		if _, ok := m[r.key]; !ok {
			keys = append(keys, r.key)
		}
		m[r.key] = append(m[r.key], r)
	}
	return keys, m
}

func TestKey(t *testing.T) {
	tests := []struct {
		k, n int
		want string
	}{
		{0, 1000, "sensor.00000"},
		{999, 1000, "sensor.00999"},
		{500, 1000, "sensor.00500"},
		{7, 1, "sensor.00007"},
		{12, 1000000, "sensor.000012"},
		{999999, 1000000, "sensor.999999"},
	}
	for _, tt := range tests {
		if got := Key(tt.k, tt.n); got != tt.want {
			t.Errorf("Key(%d, %d) = %q, want %q", tt.k, tt.n, got, tt.want)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"F", Config{Format: F}, true},
		{"last slice", Config{Slice: 9, Slices: 10}, true},
		{"bad format", Config{Format: 'x'}, false},
		{"negative keys", Config{Keys: -1}, false},
		{"negative samples", Config{Samples: -1}, false},
		{"slice out of range", Config{Slice: 10, Slices: 10}, false},
		{"negative slice", Config{Slice: -1, Slices: 10}, false},
		{"slice without slices", Config{Slice: 1}, false},
		{"too many samples", Config{Samples: math.MaxInt}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestConfig_SampleRange(t *testing.T) {
	c := Config{Slices: 10}
	next := 0
	for i := range 10 {
		c.Slice = i
		lo, hi := c.SampleRange()
		if lo != 1000*i || hi != 1000*i+1000 {
			t.Errorf("slice %d: range [%d, %d), want [%d, %d)", i, lo, hi, 1000*i, 1000*i+1000)
		}
		if lo != next {
			t.Errorf("slice %d starts at %d, want %d", i, lo, next)
		}
		next = hi
	}
	if got := (Config{}).Rows(); got != 10_000_000 {
		t.Errorf("Rows() of the reference data set = %d, want 10000000", got)
	}
}

// TestWrite_Golden pins the generator's output: if it fails, the output
// changed, and Version must be bumped together with the hashes below.
func TestWrite_Golden(t *testing.T) {
	tests := []struct {
		c     Config
		first string
		hash  string
	}{
		{
			Config{Format: U, Keys: 50, Samples: 200},
			"sensor.00000 1577836800000000000 87234\n",
			"2d490f38cc0702bfdbe2b8246efe7fc18c9aae18436a7f210e897da0ef9aab47",
		},
		{
			Config{Format: F, Keys: 50, Samples: 200},
			"sensor.00000 1577836800000000000 5.538506260171403\n",
			"fa974f846dbfc082143cb408219a6c4c24d42bd6972f7368e6f510edd8098c19",
		},
	}
	for _, tt := range tests {
		t.Run(tt.c.Format.String(), func(t *testing.T) {
			out := generate(t, tt.c)
			if !bytes.HasPrefix(out, []byte(tt.first)) {
				t.Errorf("output starts with %q, want %q", out[:min(len(out), len(tt.first))], tt.first)
			}
			sum := sha256.Sum256(out)
			if got := hex.EncodeToString(sum[:]); got != tt.hash {
				t.Errorf("sha256 of the output = %s, want %s (bump Version when the output changes)", got, tt.hash)
			}
		})
	}
}

func TestWrite_Deterministic(t *testing.T) {
	for _, f := range []Format{U, F} {
		c := Config{Format: f, Keys: 37, Samples: 301}
		a, b := generate(t, c), generate(t, c)
		if !bytes.Equal(a, b) {
			t.Errorf("format %v: two runs differ", f)
		}
		c.Seed = 42
		if bytes.Equal(a, generate(t, c)) {
			t.Errorf("format %v: another seed gives the same output", f)
		}
	}
}

// TestWrite_SlicesConcatenate checks that the time slices, concatenated per
// key, are exactly the whole data set, for several slicings.
func TestWrite_SlicesConcatenate(t *testing.T) {
	for _, f := range []Format{U, F} {
		for _, slices := range []int{1, 3, 10, 7} {
			t.Run(f.String()+"/slices="+strconv.Itoa(slices), func(t *testing.T) {
				c := Config{Format: f, Keys: 23, Samples: 100}
				_, whole := byKey(t, parseRows(t, generate(t, c)))
				joined := map[string][]row{}
				for i := range slices {
					c.Slice, c.Slices = i, slices
					out := generate(t, c)
					rows := parseRows(t, out)
					if int64(len(rows)) != c.Rows() {
						t.Fatalf("slice %d: %d rows, want %d", i, len(rows), c.Rows())
					}
					keys, m := byKey(t, rows)
					for _, k := range keys {
						joined[k] = append(joined[k], m[k]...)
					}
				}
				if len(joined) != len(whole) {
					t.Fatalf("slices hold %d keys, whole data set %d", len(joined), len(whole))
				}
				for k, want := range whole {
					got := joined[k]
					if len(got) != len(want) {
						t.Fatalf("key %s: %d rows in slices, %d in whole", k, len(got), len(want))
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("key %s row %d: slices have %v, whole %v", k, i, got[i], want[i])
						}
					}
				}
			})
		}
	}
}

func TestWrite_Layout(t *testing.T) {
	c := Config{Keys: 12, Samples: 57}
	rows := parseRows(t, generate(t, c))
	if len(rows) != 12*57 {
		t.Fatalf("%d rows, want %d", len(rows), 12*57)
	}
	keys, m := byKey(t, rows)
	if len(keys) != 12 {
		t.Fatalf("%d keys, want 12", len(keys))
	}
	for k, name := range keys {
		if want := Key(k, 12); name != want {
			t.Errorf("key %d is %q, want %q", k, name, want)
		}
		for s, r := range m[name] {
			if want := StartNanos + uint64(s)*1e9; r.ts != want {
				t.Fatalf("key %s sample %d: timestamp %d, want %d", name, s, r.ts, want)
			}
		}
	}
}

// TestWrite_ValuesU checks the U rules on the whole reference key set (with
// fewer samples): starts in range, steps within [-50, 50], clamped at 0.
func TestWrite_ValuesU(t *testing.T) {
	_, m := byKey(t, parseRows(t, generate(t, Config{Format: U, Samples: 500})))
	var minStart, maxStart uint64 = math.MaxUint64, 0
	clamped := 0
	for key, rows := range m {
		prev := uint64(0)
		for s, r := range rows {
			v, err := strconv.ParseUint(r.value, 10, 32)
			if err != nil {
				t.Fatalf("key %s sample %d: %v", key, s, err)
			}
			if s == 0 {
				if v < uStartMin || v >= uStartMax {
					t.Fatalf("key %s: start %d outside [1000, 100000)", key, v)
				}
				minStart, maxStart = min(minStart, v), max(maxStart, v)
			} else {
				d := int64(v) - int64(prev)
				switch {
				case v == 0 && d >= -uStepMax:
					clamped++ // a step that may have gone below 0
				case v == 0:
					t.Fatalf("key %s sample %d: fell from %d to 0", key, s, prev)
				case d < -uStepMax || d > uStepMax:
					t.Fatalf("key %s sample %d: step %d from %d", key, s, d, prev)
				}
			}
			prev = v
		}
	}
	// 1000 uniform starts spread over nearly the whole range.
	if minStart > 2000 || maxStart < 99000 {
		t.Errorf("starts span [%d, %d], want about [1000, 100000)", minStart, maxStart)
	}
}

func TestStepU(t *testing.T) {
	tests := []struct {
		v    uint32
		d    int
		want uint32
	}{
		{1000, 50, 1050},
		{1000, -50, 950},
		{30, -50, 0},
		{50, -50, 0},
		{0, -1, 0},
		{0, 0, 0},
		{0, 7, 7},
	}
	for _, tt := range tests {
		if got := stepU(tt.v, tt.d); got != tt.want {
			t.Errorf("stepU(%d, %d) = %d, want %d", tt.v, tt.d, got, tt.want)
		}
	}
}

// TestWrite_ValuesUClamp finds keys that hit the clamp in the reference
// data set's full length, so the clamp is exercised end to end.
func TestWrite_ValuesUClamp(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 10M values")
	}
	c := Config{Format: U}.withDefaults()
	zeros := 0
	for k := range c.Keys {
		w := newWalk(c, k)
		for s := 1; s < c.Samples; s++ {
			prev := w.u
			w.step()
			if w.u == 0 {
				zeros++
			}
			if d := int64(w.u) - int64(prev); w.u != 0 && (d < -uStepMax || d > uStepMax) {
				t.Fatalf("key %d sample %d: step %d", k, s, d)
			}
		}
	}
	if zeros == 0 {
		t.Errorf("no U value of the reference data set is 0: the clamp is never used")
	}
}

// TestWrite_ValuesF checks the F rules: starts in [-100, 100), Gaussian
// steps (mean about 0, sigma about 1), values printed as the shortest
// round-trip decimal without an exponent.
func TestWrite_ValuesF(t *testing.T) {
	_, m := byKey(t, parseRows(t, generate(t, Config{Format: F, Samples: 500})))
	var n, sum, sumSq float64
	minStart, maxStart := math.Inf(1), math.Inf(-1)
	for key, rows := range m {
		prev := 0.0
		for s, r := range rows {
			v, err := strconv.ParseFloat(r.value, 64)
			if err != nil {
				t.Fatalf("key %s sample %d: %v", key, s, err)
			}
			if want := strconv.FormatFloat(v, 'f', -1, 64); r.value != want {
				t.Fatalf("key %s sample %d: %q is not the shortest round-trip decimal %q", key, s, r.value, want)
			}
			if strings.ContainsAny(r.value, "eE") {
				t.Fatalf("key %s sample %d: %q has an exponent", key, s, r.value)
			}
			if s == 0 {
				if v < fStartMin || v >= fStartMax {
					t.Fatalf("key %s: start %v outside [-100, 100)", key, v)
				}
				minStart, maxStart = min(minStart, v), max(maxStart, v)
			} else {
				d := v - prev
				if math.Abs(d) > 7 {
					t.Fatalf("key %s sample %d: step %v is over 7 sigma", key, s, d)
				}
				n, sum, sumSq = n+1, sum+d, sumSq+d*d
			}
			prev = v
		}
	}
	mean := sum / n
	sigma := math.Sqrt(sumSq/n - mean*mean)
	if math.Abs(mean) > 0.01 || math.Abs(sigma-1) > 0.01 {
		t.Errorf("steps have mean %.4f and sigma %.4f, want 0 and 1", mean, sigma)
	}
	if minStart > -98 || maxStart < 98 {
		t.Errorf("starts span [%v, %v], want about [-100, 100)", minStart, maxStart)
	}
}

func TestWrite_EmptySlice(t *testing.T) {
	// 5 samples in 10 slices: slice 0 is [0, 0), slice 1 is [0, 1).
	c := Config{Keys: 3, Samples: 5, Slice: 0, Slices: 10}
	if out := generate(t, c); len(out) != 0 || c.Rows() != 0 {
		t.Errorf("slice 0: %d bytes, Rows() = %d, want nothing", len(out), c.Rows())
	}
	c.Slice = 1
	if rows := parseRows(t, generate(t, c)); len(rows) != 3 || c.Rows() != 3 {
		t.Errorf("slice 1: %d rows, Rows() = %d, want 3", len(rows), c.Rows())
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errWrite
	}
	w.n--
	return len(p), nil
}

var errWrite = errors.New("write failed")

func TestWrite_Error(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		err := Write(&failWriter{n: n}, Config{Keys: 200, Samples: 5000})
		if !errors.Is(err, errWrite) {
			t.Errorf("after %d writes: Write() = %v, want %v", n, err, errWrite)
		}
	}
	if err := Write(&bytes.Buffer{}, Config{Format: 'x'}); err == nil {
		t.Errorf("Write with a bad format succeeded")
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"u", "F"} {
		f, err := ParseFormat(s)
		if err != nil || f.String() != s {
			t.Errorf("ParseFormat(%q) = %v, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "U", "f", "uu"} {
		if _, err := ParseFormat(s); err == nil {
			t.Errorf("ParseFormat(%q) succeeded", s)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, f := range []Format{U, F} {
		b.Run("format="+f.String(), func(b *testing.B) {
			c := Config{Format: f, Samples: 1000}
			var buf bytes.Buffer
			if err := Write(&buf, c); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWriteByTime writes the same rows as Write, ordered by time then key.
func TestWriteByTime(t *testing.T) {
	for _, c := range []Config{{Keys: 7, Samples: 50}, {Format: F, Keys: 3, Samples: 40, Slice: 1, Slices: 4}} {
		var byKey, byTime bytes.Buffer
		if err := Write(&byKey, c); err != nil {
			t.Fatal(err)
		}
		if err := WriteByTime(&byTime, c); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(byTime.String(), "\n"), "\n")
		for i := 1; i < len(lines); i++ {
			a, b := strings.Fields(lines[i-1]), strings.Fields(lines[i])
			if len(a[1]) > len(b[1]) || len(a[1]) == len(b[1]) && (a[1] > b[1] || a[1] == b[1] && a[0] >= b[0]) {
				t.Fatalf("%+v: line %d %q does not follow %q in time then key order", c, i+1, lines[i], lines[i-1])
			}
		}
		slices.Sort(lines)
		want := strings.Split(strings.TrimSuffix(byKey.String(), "\n"), "\n")
		slices.Sort(want)
		if !slices.Equal(lines, want) {
			t.Errorf("%+v: the rows differ from Write's", c)
		}
	}
}
