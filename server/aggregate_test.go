package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestGet_Aggregate(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", fibRows+"lucas 1577836800000000000 u 2\nlucas 1577923200000000000 u 1\nmixed 1 us 4 x\nmixed 2 us 6 y\n")
	for _, tc := range []struct{ query, want string }{
		{"/fibonacci?step=2d&agg=count,sum,max",
			"fibonacci\t1577836800000000000\t2 2 1\nfibonacci\t1578009600000000000\t2 5 3\nfibonacci\t1578182400000000000\t2 13 8\n"},
		{"/fibonacci?agg=mean&human", "fibonacci\t2020-01-01T00:00:00\t3.33333333333333348\n"},
		{"/fibonacci?step=1w&offset=4d&agg=count&print-format", "fibonacci\t1577664000000000000\tU\t5\nfibonacci\t1578268800000000000\tU\t1\n"},
		{"/fibonacci?step=1w", "fibonacci\t1577318400000000000\t1.00000000000000000\nfibonacci\t1577923200000000000\t3.79999999999999982\n"},
		{"/?filter=fibonacci&filter=lucas&merge=all&agg=count,max&step=1d&before-time=2020-01-03",
			"all\t1577836800000000000\t2 2\nall\t1577923200000000000\t2 1\n"},
		{"/mixed?agg=count,first,last", "mixed\t1\t2 4 6 2 x y\n"},
		{"/mixed?agg=mean&columns=1", "mixed\t1\t5.00000000000000000\n"},
		{"/lucas?agg=min,max&output=json", `{"key":"lucas","ts":1577836800000000000,"time":"2020-01-01T00:00:00Z","format":"uu","values":[1,2]}` + "\n"},
		{"/%25?agg=count&columns=1&output=csv", "key,ts,time,v1_count\nfibonacci,1577836800000000000,2020-01-01T00:00:00Z,6\n" +
			"lucas,1577836800000000000,2020-01-01T00:00:00Z,2\nmixed,1,1970-01-01T00:00:00.000000001Z,2\n"},
		{"/none?agg=count&output=csv", "key,ts,time\n"},
	} {
		if got := e.must(http.StatusOK, "GET", tc.query, ""); got != tc.want {
			t.Errorf("GET %s:\n got %q\nwant %q", tc.query, got, tc.want)
		}
	}
}

func TestGet_AggregateBadParameters(t *testing.T) {
	e := newDirEnv(t, nil)
	e.put("", "k 1 us 1 x\n")
	for _, tc := range []struct{ path, want string }{
		{"/k?agg=median", `unknown aggregate "median"`},
		{"/k?step=0s", "step"},
		{"/k?step=-1h", "step"},
		{"/k?offset=1h", "offset needs step"},
		{"/k?step=1h&offset=x", "offset"},
		{"/k?merge=", "merge"},
		{"/k?agg=mean&agg=max", "2 times"},
		{"/k?agg=mean", "column 2 is s"},
		{"/k?agg=sum&steps=1h", `unknown parameter "steps"`},
	} {
		code, got := e.do("GET", tc.path, "")
		if code != http.StatusBadRequest || !strings.Contains(got, tc.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("GET %s: %d %q, want 400 and one line naming %q", tc.path, code, got, tc.want)
		}
	}
}
