package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/format/timefmt"
)

// params are a request's query parameters. Handlers take what they know;
// done then refuses any parameter left, so that a typo (after_time) is an
// error rather than a silently ignored bound.
type params struct {
	v    url.Values
	used map[string]bool
}

// queryParams parses r's query string leniently: a '%' that starts no
// valid escape stands for itself (`?filter=fib%`), as sonnerie clients
// send it.
func queryParams(r *http.Request) (*params, error) {
	v, err := url.ParseQuery(string(fixPercent([]byte(r.URL.RawQuery))))
	if err != nil {
		return nil, badRequest("query string: %v", err)
	}
	return &params{v: v, used: map[string]bool{}}, nil
}

// has reports whether the parameter name is present, with or without a
// value, and takes it.
func (p *params) has(name string) bool {
	p.used[name] = true
	_, ok := p.v[name]
	return ok
}

// str returns the one value of name; a repeated parameter is an error.
func (p *params) str(name string) (string, bool, error) {
	p.used[name] = true
	vs, ok := p.v[name]
	if len(vs) > 1 {
		return "", false, badRequest("parameter %s given %d times", name, len(vs))
	}
	if !ok {
		return "", false, nil
	}
	return vs[0], true, nil
}

// keyArg reads the value v of the key parameter name (a filter or a key
// bound): rawKey or escapedKey.
type keyArg func(name, v string) (string, error)

// rawKey takes a key parameter as it is, as reads do.
func rawKey(_, v string) (string, error) { return v, nil }

// escapedKey unescapes a key parameter as an input token, as deletes do
// (sonnerie's delete did, and chime delete does). A value that is not one
// token is refused with its escaped form.
func escapedKey(name, v string) (string, error) {
	tok, err := text.UnescapeArg([]byte(v))
	var ae *text.ArgError
	if errors.As(err, &ae) {
		return "", badRequest("%s %q holds %s; delete takes keys escaped as in PUT lines: write %s", name, ae.Arg, ae.Problem, ae.Escaped)
	}
	return string(tok), err
}

// key returns the one value of the key parameter name, read by read.
func (p *params) key(name string, read keyArg) (string, bool, error) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return s, ok, err
	}
	s, err = read(name, s)
	return s, ok, err
}

// list returns every value of a repeatable parameter.
func (p *params) list(name string) []string {
	p.used[name] = true
	return p.v[name]
}

// flag reads a boolean parameter: present without a value (`?human`) or
// with a value strconv.ParseBool takes (`?human=1`, `?human=false`).
func (p *params) flag(name string) (bool, error) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return false, err
	}
	if s == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("parameter %s=%q: want true or false", name, s)
	}
	return b, nil
}

// uint reads a non-negative integer parameter; absent is def.
func (p *params) uint(name string, def int) (int, error) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, badRequest("parameter %s=%q: want a non-negative integer", name, s)
	}
	return n, nil
}

// time reads a time bound: integer nanoseconds since the epoch, as GET
// prints them, or any form read's --after-time takes.
func (p *params) time(name string) (uint64, bool, error) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return 0, false, err
	}
	if s != "" && strings.Trim(s, "0123456789") == "" {
		ns, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, false, badRequest("parameter %s=%q: %v", name, s, err)
		}
		return ns, true, nil
	}
	ns, err := timefmt.ParseBound(s)
	if err != nil {
		return 0, false, badRequest("parameter %s: %v", name, err)
	}
	return ns, true, nil
}

// done refuses the parameters no handler step took.
func (p *params) done() error {
	var unknown []string
	for name := range p.v {
		if !p.used[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return badRequest("unknown parameter %s", strings.Join(quoteAll(unknown), ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
