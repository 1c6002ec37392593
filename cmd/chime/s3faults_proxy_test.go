//go:build s3faults

package main

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3test"
)

// proxyTimeout is the request timeout of the chime processes behind the
// fault proxy, and proxyDelay how long it holds a delayed request or
// reply: past the timeout.
const (
	proxyTimeout = time.Second
	proxyDelay   = 1500 * time.Millisecond
)

// TestS3Faults_Proxy runs adds (small ones, and multipart uploads),
// deletes, minor and major compactions and reads through a proxy that
// injects faults (failed requests, dropped connections, requests and
// replies delayed past the timeout, bodies cut short, writes applied yet
// reported failed), now at random and now on every attempt of one
// request. After each command, once the proxy has forwarded everything
// it held, the database read directly must show:
//
//   - an acknowledged add or delete applied, a failed one wholly applied
//     or not at all (then known, for the model);
//   - each add or delete published as at most one file (exactly one when
//     acknowledged): nothing committed twice;
//   - compactions, failed or not, changing no row;
//
// every failure is one clear line (exit status 1), and a read through
// the proxy prints exactly the model's rows or fails with one line,
// having printed a prefix of them.
func TestS3Faults_Proxy(t *testing.T) {
	srv := s3test.Shared(t)
	srv.Setenv(t)
	d := newS3DB(t, srv)
	proxy := newS3Proxy(t, srv.Endpoint, proxyDelay)
	env := append(s3test.EnvFor(proxy.URL),
		"CHIME_S3_TIMEOUT="+proxyTimeout.String(),
		"CHIME_S3_PART_SIZE=5MiB")
	m := &proxyModel{d: d, rows: map[string]string{}}
	r := rand.New(rand.NewPCG(11, 12))
	var failures, commands int
	tally := map[string]int{}
	const rounds = 70
	for round := range rounds {
		plan, name := drawPlan(r)
		var c proxyCmd
		switch k := r.IntN(20); {
		case k < 10:
			c = m.add(r, round)
		case k < 12:
			c = m.bigAdd(r, round)
		case k < 15:
			c = m.delete(r)
		case k < 17:
			c = proxyCmd{kind: "compact", args: []string{"compact", "--no-wait", "--grace", "5s"}}
		case k < 18:
			c = proxyCmd{kind: "compact --major", args: []string{"compact", "--major", "--no-wait", "--grace", "5s"}}
		case k < 20:
			c = proxyCmd{kind: "compact --gegnum", args: []string{"compact", "--major", "--no-wait", "--grace", "5s", "--gegnum", incrementValues}}
		}
		if round%7 == 3 {
			c = proxyCmd{kind: "read", args: []string{"read", "%", "--timestamp-nanos"}}
		}
		if c.args == nil {
			continue // nothing to delete yet
		}
		switch {
		case c.kind == "compact --gegnum" && r.IntN(3) > 0:
			plan, name = publishPlan(r)
		case strings.HasPrefix(c.kind, "compact") && r.IntN(2) == 0:
			plan, name = drawLeasePlan(r)
		}
		before := d.files(t)
		proxy.setPlan(plan)
		res := runEnv(t, env, c.stdin, append([]string{"-d", d.loc}, c.args...)...)
		proxy.drain()
		attempts := proxy.attempts()
		proxy.setPlan(nil)
		commands++
		ok := res.code == 0
		if !ok {
			failures++
			if err := clearFailure(res.stderr); err != nil || res.code != exitFailure {
				t.Errorf("%s under %s: exit %d: %v", c.kind, name, res.code, err)
			}
		}
		tally[fmt.Sprintf("%s, %s", c.kind, map[bool]string{true: "done", false: "failed"}[ok])]++
		m.settle(t, c, ok, before, res)
		if t.Failed() {
			for _, a := range attempts {
				t.Logf("  %v %s %s: %v -> %d", a.at.Sub(attempts[0].at).Round(time.Millisecond), a.op, a.key, a.fault, a.status)
			}
			t.Fatalf("after %s under %s (exit %d: %s): the requests above", c.kind, name, res.code, strings.TrimSpace(res.stderr))
		}
	}
	// What faults left behind: an orphaned upload (a CreateMultipartUpload
	// applied twice), a lease whose release failed. A compaction once they
	// are older than the grace period removes them.
	time.Sleep(1100 * time.Millisecond)
	chime(t, "", "-d", d.loc, "compact", "--major", "--grace", "1s")
	if ups := d.uploads(t); len(ups) > 0 {
		t.Fatalf("uploads left after a compaction past the grace period: %v", slices.Collect(maps.Keys(ups)))
	}
	m.check(t)
	chime(t, "", "-d", d.loc, "check")
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(tally)) {
		lines = append(lines, fmt.Sprintf("%d %s", tally[k], k))
	}
	t.Logf("%d commands through the fault proxy, %d failed with one line: %s", commands, failures, strings.Join(lines, ", "))
	t.Logf("%d leases left by failed releases, removed as expired", m.leases)
}

// proxyModel is what the database of the proxy test must read as: each
// round's rows, present or not.
type proxyModel struct {
	d      *s3db
	rows   map[string]string // round -> its rows as read prints them, when present
	leases int
}

// proxyCmd is one command of the test.
type proxyCmd struct {
	kind, stdin string
	args        []string
	round       string // the round an add writes or a delete removes
	want        string // the round's rows
}

func (m *proxyModel) add(r *rand.Rand, round int) proxyCmd {
	name := fmt.Sprintf("p%04d", round)
	var in, out strings.Builder
	for k := range 1 + r.IntN(5) {
		for ts := range 1 + r.IntN(50) {
			fmt.Fprintf(&in, "%s.k%d %d %d\n", name, k, ts+1, round*1000+ts)
			fmt.Fprintf(&out, "%s.k%d\t%d\t%d\n", name, k, ts+1, round*1000+ts)
		}
	}
	return proxyCmd{kind: "add", stdin: in.String(), args: []string{"add", "-f", "u"}, round: name, want: out.String()}
}

// bigAdd writes some 7 MiB of incompressible strings: a multipart upload
// of two 5 MiB parts.
func (m *proxyModel) bigAdd(r *rand.Rand, round int) proxyCmd {
	name := fmt.Sprintf("p%04d", round)
	var in, out strings.Builder
	raw := make([]byte, 96<<10)
	for ts := range 56 {
		for i := range raw {
			raw[i] = byte(r.Uint32())
		}
		v := base64.RawURLEncoding.EncodeToString(raw)
		fmt.Fprintf(&in, "%s.big %d %s\n", name, ts+1, v)
		fmt.Fprintf(&out, "%s.big\t%d\t%s\n", name, ts+1, v)
	}
	return proxyCmd{kind: "add (multipart)", stdin: in.String(), args: []string{"add", "-f", "s"}, round: name, want: out.String()}
}

// delete removes a present round, nil args when none is; a big one most
// often, so that full reads stay short.
func (m *proxyModel) delete(r *rand.Rand) proxyCmd {
	present := slices.Sorted(maps.Keys(m.rows))
	if len(present) == 0 {
		return proxyCmd{}
	}
	round := present[r.IntN(len(present))]
	for _, p := range present {
		if strings.Contains(m.rows[p], ".big\t") && r.IntN(5) > 0 {
			round = p
		}
	}
	return proxyCmd{kind: "delete", args: []string{"delete", round + ".%"}, round: round}
}

// settle checks the database after a command and brings the model up to
// date.
func (m *proxyModel) settle(t *testing.T, c proxyCmd, ok bool, before []string, res run) {
	t.Helper()
	switch c.kind {
	case "add", "add (multipart)", "delete":
		m.settleWrite(t, c, ok, before)
		if c.kind != "delete" && !ok && strings.Contains(res.stderr, "nothing was added") && m.rows[c.round] != "" {
			t.Errorf("%s of %s failed saying nothing was added, but it was: %s", c.kind, c.round, res.stderr)
		}
	case "read":
		m.checkRead(t, ok, res.stdout)
	case "compact --gegnum":
		m.settleGegnum(t, ok)
	default: // a compaction
		m.check(t)
	}
	if m.d.has(t, ".compact") {
		if ok && c.kind != "read" {
			t.Errorf("%s succeeded but left its lease", c.kind)
		}
		m.d.remove(t, ".compact") // as if expired
		m.leases++
	}
}

// settleWrite resolves an add or a delete: applied or not, once.
func (m *proxyModel) settleWrite(t *testing.T, c proxyCmd, ok bool, before []string) {
	t.Helper()
	published := len(newNames(before, m.d.files(t)))
	got := chime(t, "", "-d", m.d.loc, "read", c.round+".%", "--timestamp-nanos")
	applied := got != ""
	if c.kind == "delete" {
		applied = got == ""
		if !applied && got != m.rows[c.round] {
			t.Errorf("delete of %s: %d of its %d rows left", c.round, countLines(got), countLines(m.rows[c.round]))
		}
	} else if applied && got != c.want {
		t.Errorf("add of %s: %d of its %d rows visible", c.round, countLines(got), countLines(c.want))
	}
	switch {
	case ok && !applied:
		t.Errorf("acknowledged %s of %s is not applied", c.kind, c.round)
	case published > 1:
		t.Errorf("%s of %s published %d files: committed twice", c.kind, c.round, published)
	case applied && published == 0:
		t.Errorf("%s of %s applied without publishing a file", c.kind, c.round)
	}
	switch {
	case !applied:
	case c.kind == "delete":
		delete(m.rows, c.round)
	default:
		m.rows[c.round] = c.want
	}
}

// incrementValues is a rewrite of compact --gegnum that adds 1 to every
// unsigned value: applied twice, it shows.
const incrementValues = `awk -F'\t' '{ if ($3 == "u") $4 = $4 + 1; print $1, $2, $3, $4 }'`

// settleGegnum checks a rewriting compaction: its rows rewritten when it
// succeeded, untouched when it failed (a failure that published would
// invite the user to rewrite them twice).
func (m *proxyModel) settleGegnum(t *testing.T, ok bool) {
	t.Helper()
	got := readAll(t, m.d.loc)
	after := map[string]string{}
	for round, rows := range m.rows {
		var sb strings.Builder
		for line := range strings.Lines(rows) {
			f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
			if v, err := strconv.ParseUint(f[2], 10, 64); err == nil && !strings.HasSuffix(f[0], ".big") {
				f[2] = strconv.FormatUint(v+1, 10)
			}
			sb.WriteString(strings.Join(f, "\t") + "\n")
		}
		after[round] = sb.String()
	}
	switch before := m.want(); {
	case ok && got == before && before != "":
		t.Errorf("compact --gegnum succeeded but rewrote nothing")
	case !ok && got != before:
		t.Errorf("compact --gegnum failed, but the rows changed")
	case ok:
		m.rows = after
		m.check(t)
	}
}

// want is the whole database as read --timestamp-nanos prints it.
func (m *proxyModel) want() string {
	var sb strings.Builder
	for _, round := range slices.Sorted(maps.Keys(m.rows)) {
		sb.WriteString(m.rows[round])
	}
	return sb.String()
}

// check reads the database directly: the model's rows exactly.
func (m *proxyModel) check(t *testing.T) {
	t.Helper()
	if got, want := readAll(t, m.d.loc), m.want(); got != want {
		t.Errorf("the database reads %d rows, the model %d", countLines(got), countLines(want))
	}
}

// checkRead checks a read through the proxy: the model's rows, or a
// failure after a prefix of them.
func (m *proxyModel) checkRead(t *testing.T, ok bool, out string) {
	t.Helper()
	want := m.want()
	switch {
	case ok && out != want:
		t.Errorf("a read through the proxy printed %d rows, the model has %d", countLines(out), countLines(want))
	case !ok && !strings.HasPrefix(want, out):
		t.Errorf("a failed read through the proxy printed rows that are not a prefix of the database's")
	}
}

// drawPlan draws the faults of one command: none, some at random, or a
// fault on one request (the k-th the command sends), on its first attempt
// only or on every attempt.
func drawPlan(r *rand.Rand) (func(a *attempt) fault, string) {
	// The delays cost the test seconds each: rarer.
	kinds := []fault{refuse, drop, cutBody, applyFail, applyDrop, refuse, drop, cutBody, applyFail, applyDrop, delayBefore, delayReply}
	switch p := r.IntN(10); {
	case p == 0:
		return nil, "no faults"
	case p < 5:
		seed := r.Uint64()
		rr := rand.New(rand.NewPCG(seed, seed))
		return func(a *attempt) fault {
			if rr.IntN(12) > 0 {
				return pass
			}
			return kinds[rr.IntN(len(kinds))]
		}, "random faults"
	default:
		f := kinds[r.IntN(len(kinds))]
		k := r.IntN(12)
		every := r.IntN(3) == 0 && f != delayBefore && f != delayReply
		seen := map[string]int{}
		first := map[string]bool{}
		return func(a *attempt) fault {
			n, ok := seen[a.invocation]
			if !ok {
				n = len(seen)
				seen[a.invocation] = n
			}
			if n != k {
				return pass
			}
			if !every && first[a.invocation] {
				return pass
			}
			first[a.invocation] = true
			return f
		}, fmt.Sprintf("%v on request %d (every attempt: %v)", f, k, every)
	}
}

// drawLeasePlan draws a fault on the first attempt of one request on the
// compaction lease (its creation, renewals, release): the lease's
// requests are few among a compaction's, and each must survive a reply
// lost after the server applied it.
func drawLeasePlan(r *rand.Rand) (func(a *attempt) fault, string) {
	f := []fault{applyFail, applyDrop, delayReply, refuse, drop}[r.IntN(5)]
	k := r.IntN(3)
	seen := map[string]int{}
	return func(a *attempt) fault {
		if !strings.HasSuffix(a.key, "/.compact") {
			return pass
		}
		n, ok := seen[a.invocation]
		if !ok {
			n = len(seen)
			seen[a.invocation] = n
			if n == k {
				return f
			}
		}
		return pass
	}, fmt.Sprintf("%v on lease request %d", f, k)
}

// publishPlan fails every attempt of a compaction's publication of its
// main, the first one applied: the compaction must find out that its
// output is published (and say it succeeded) rather than report a failure
// that invites the user to rewrite the rows again.
func publishPlan(r *rand.Rand) (func(a *attempt) fault, string) {
	f := []fault{applyFail, applyDrop}[r.IntN(2)]
	var first string
	return func(a *attempt) fault {
		base := a.key[strings.LastIndexByte(a.key, '/')+1:]
		if !strings.HasPrefix(base, "main.") || a.op != "PUT" && a.op != "COMPLETE-UPLOAD" {
			return pass
		}
		if first == "" {
			first = a.invocation
		}
		if a.invocation != first {
			return pass
		}
		return f
	}, fmt.Sprintf("%v on every attempt of the main's publication", f)
}
