//go:build s3faults

package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/internal/s3test"
)

// killGrace is the --grace of the kill tests' compactions: replaced files
// and stale uploads older than this go at the next compaction.
const killGrace = time.Second

// s3Victim runs the chime processes a kill test kills: through a proxy
// that records their requests (so that the test knows what each was
// doing when it died), with a temporary directory of their own (where
// their upload spools would be) and 5 MiB parts (so that a few MiB make a
// multipart upload). Everything else (readers, checks) reaches the server
// directly.
type s3Victim struct {
	proxy *s3Proxy
	env   []string
	tmp   string
}

func newS3Victim(t *testing.T, srv *s3test.Server) *s3Victim {
	t.Helper()
	v := &s3Victim{proxy: newS3Proxy(t, srv.Endpoint, 0), tmp: t.TempDir()}
	v.env = append(s3test.EnvFor(v.proxy.URL), "CHIME_S3_PART_SIZE=5MiB", "TMPDIR="+v.tmp)
	return v
}

// start starts chime as the victim.
func (v *s3Victim) start(t *testing.T, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, time.Time) {
	t.Helper()
	return startChimeEnv(t, v.env, stdin, args...)
}

// killAfter runs chime as the victim and SIGKILLs it after delay; it
// returns once the proxy has forwarded every request the victim sent
// whole (a server applies those even after their client died).
func (v *s3Victim) killAfter(t *testing.T, delay time.Duration, stdin string, args ...string) killOutcome {
	t.Helper()
	cmd, stderr, start := v.start(t, stdin, args...)
	v.proxy.setPlan(nil)
	go signalAfter(cmd.Process, delay, syscall.SIGKILL)
	o := outcome(cmd.Wait(), syscall.SIGKILL, stderr.String())
	o.took = time.Since(start)
	v.proxy.drain()
	return o
}

// killDuring runs chime as the victim and SIGKILLs it a random moment
// (up to jitter) after it sends a request that when matches: a moment
// too short to hit by drawing delays over the whole run (the upload of
// parts, say).
func (v *s3Victim) killDuring(t *testing.T, when func(a *attempt) bool, jitter time.Duration, r *rand.Rand, stdin string, args ...string) killOutcome {
	t.Helper()
	delay := time.Duration(r.Int64N(int64(jitter)))
	cmd, stderr, start := v.start(t, stdin, args...)
	fired := false
	v.proxy.setPlan(func(a *attempt) fault {
		if !fired && when(a) {
			fired = true
			go signalAfter(cmd.Process, delay, syscall.SIGKILL)
		}
		return pass
	})
	o := outcome(cmd.Wait(), syscall.SIGKILL, stderr.String())
	o.took = time.Since(start)
	v.proxy.drain()
	return o
}

// timed runs chime as the victim to its end.
func (v *s3Victim) timed(t *testing.T, stdin string, args ...string) time.Duration {
	t.Helper()
	cmd, stderr, start := v.start(t, stdin, args...)
	v.proxy.setPlan(nil)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("chime %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return time.Since(start)
}

// checkNoSpool fails if a victim left a file in its temporary directory.
func (v *s3Victim) checkNoSpool(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(v.tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Fatalf("a killed chime left %s in its temporary directory", entries[0].Name())
	}
}

// phase says what the victim's requests show it was doing when it died:
// still starting (no request), writing its spool (after the probe of
// conditional writes), listing and reading, uploading parts, publishing
// (the create-if-absent PUT or CompleteMultipartUpload sent), or
// confirming (listing again after a publication).
func (v *s3Victim) phase() (string, bool) {
	phase := "at start-up"
	for _, a := range v.proxy.attempts() {
		base := a.key[strings.LastIndexByte(a.key, '/')+1:]
		switch {
		case base == ".probe":
			phase = "spooling"
		case a.op == "PUT" && (strings.HasPrefix(base, "tx.") || strings.HasPrefix(base, "main.")), a.op == "COMPLETE-UPLOAD":
			phase = "publishing"
		case a.op == "CREATE-UPLOAD" || a.op == "PUT-PART":
			phase = "uploading parts"
		case phase == "publishing" && a.op == "LIST":
			phase = "confirming"
		case phase == "at start-up" || phase == "spooling":
			phase = "listing and reading"
		}
	}
	return phase, phase != "at start-up"
}

// sweepUploads waits until every incomplete upload of d is older than
// killGrace, runs a compaction, and fails if one is left.
func sweepUploads(t *testing.T, d *s3db, args ...string) {
	t.Helper()
	ups := d.uploads(t)
	if len(ups) == 0 {
		return
	}
	newest := slices.MaxFunc(slices.Collect(maps.Values(ups)), func(a, b time.Time) int { return a.Compare(b) })
	time.Sleep(time.Until(newest.Add(killGrace + 100*time.Millisecond)))
	chime(t, "", append([]string{"-d", d.loc, "compact", "--grace", killGrace.String()}, args...)...)
	if left := d.uploads(t); len(left) > 0 {
		t.Fatalf("stale uploads left after a compaction past the grace period: %v", slices.Collect(maps.Keys(left)))
	}
}

// waitReads waits until the readers have finished n more reads: with the
// next read's arguments changed first, no read of the old ones is then in
// flight.
func waitReads(p *readerPool, n int) {
	p.mu.Lock()
	want := p.reads + n
	p.mu.Unlock()
	for {
		p.mu.Lock()
		done := p.reads >= want || p.err != nil
		p.mu.Unlock()
		if done {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// bigRound makes a round of some 7 MiB of incompressible strings: a
// multipart upload of two parts.
func (m *addModel) bigRound(r *rand.Rand) (round, input, want string) {
	return m.bigRoundOf(r, 56)
}

// bigRoundOf makes a round of n strings of 128 KiB.
func (m *addModel) bigRoundOf(r *rand.Rand, n int) (round, input, want string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next++
	round = fmt.Sprintf("a%05d", m.next)
	var in, out strings.Builder
	raw := make([]byte, 96<<10)
	for ts := range n {
		for i := range raw {
			raw[i] = byte(r.Uint32())
		}
		v := base64.RawURLEncoding.EncodeToString(raw)
		fmt.Fprintf(&in, "%s.big %d %s\n", round, ts+1, v)
		fmt.Fprintf(&out, "%s.big\t%d\t%s\n", round, ts+1, v)
	}
	m.want[round] = out.String()
	m.state[round] = roundRunning
	return round, in.String(), out.String()
}

// TestS3Faults_AddKilled SIGKILLs chime add on s3:// (1, 200 or 2,000
// rows, and now and then a multipart upload) at random moments while a
// reader reads the whole database: an acknowledged add is readable, a
// killed one wholly visible or invisible in every read, during and
// after, and leaves no spool behind. Every 15 rounds a compaction runs
// once the killed uploads are older than the grace period, and must
// abort every one.
func TestS3Faults_AddKilled(t *testing.T) {
	const (
		kills     = 80 // landed kills wanted
		perDB     = 40 // rounds per database
		compactAt = 15 // rounds between compactions
	)
	srv := s3test.Shared(t)
	srv.Setenv(t)
	v := newS3Victim(t, srv)
	r := rand.New(rand.NewPCG(15, 16))
	tally := newKillTally("add on s3")
	newModel := func() (*addModel, *s3db) {
		d := newS3DB(t, srv)
		return newAddModel(d.loc), d
	}
	m0, d0 := newModel()
	var cur atomic.Pointer[addModel]
	cur.Store(m0)
	dbs := map[string]*s3db{m0.db: d0}
	var paused atomic.Bool
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		if paused.Load() {
			return []string{"--version"}, nil
		}
		m := cur.Load()
		return []string{"-d", m.db, "read", "%", "--timestamp-nanos"}, m.checker()
	})
	big := len(addSizes) // the index of the multipart size
	clocks := make([]killClock, big+1)
	uploads := 0
	for round := 1; tally.landed < kills && tally.attempts < 3*kills; round++ {
		m := cur.Load()
		d := dbs[m.db]
		switch {
		case round%perDB == 0:
			m.checkAll(t)
			m, d = newModel()
			dbs[m.db] = d
			cur.Store(m)
			continue
		case round%compactAt == 0:
			// No read in flight while a compaction sweeps past a grace
			// period shorter than a slow read.
			paused.Store(true)
			waitReads(readers, 2)
			uploads += len(d.uploads(t))
			sweepUploads(t, d)
			chime(t, "", "-d", d.loc, "compact", "--grace", killGrace.String())
			paused.Store(false)
			m.checkAll(t)
		}
		size := r.IntN(len(addSizes))
		if r.IntN(12) == 0 {
			size = big
		}
		var rd, input, want string
		if size == big {
			rd, input, want = m.bigRound(r)
		} else {
			rd, input, want = m.begin(size)
		}
		if len(clocks[size].runs) < 3 || round%5 == 0 {
			clocks[size].measured(v.timed(t, input, "-d", m.db, "add", "-f", addFormat(size == big)))
			m.settle(t, rd, want)
			continue
		}
		delay := clocks[size].draw(r)
		args := []string{"-d", m.db, "add", "-f", addFormat(size == big)}
		var o killOutcome
		if size == big && r.IntN(2) == 0 {
			o = v.killDuring(t, func(a *attempt) bool { return a.op == "PUT-PART" }, 30*time.Millisecond, r, input, args...)
		} else {
			o = v.killAfter(t, delay, input, args...)
		}
		if o.err != nil {
			t.Fatalf("add %s failed on its own: %v", rd, o.err)
		}
		clocks[size].observe(o)
		v.checkNoSpool(t)
		if !o.killed {
			m.settle(t, rd, want)
			tally.finished()
			continue
		}
		phase, midOp := v.phase()
		switch got := m.readRound(t, rd); {
		case got == want:
			m.set(rd, roundVisible)
			tally.killed(phase+", visible", midOp)
		case got == "":
			m.set(rd, roundInvisible)
			tally.killed(phase+", invisible", midOp)
		default:
			t.Fatalf("add %s killed after %v (%s) reads %d of its %d rows", rd, delay, phase, countLines(got), countLines(want))
		}
		if err := readers.failed(); err != nil {
			t.Fatal(err)
		}
	}
	reads := readers.stop(t)
	m := cur.Load()
	m.checkAll(t)
	sweepUploads(t, dbs[m.db])
	tally.report(t, kills)
	for i, c := range clocks {
		t.Logf("add on s3, size %d: %v", i, &c)
	}
	t.Logf("add on s3: %d uploads killed mid-way were aborted by a compaction past the grace period; %d concurrent full reads, every one consistent", uploads, reads)
}

func addFormat(big bool) string {
	if big {
		return "s"
	}
	return "u"
}

// TestS3Faults_CompactKilled SIGKILLs compactions on s3:// (minor, major,
// --gegnum) at random moments while a reader reads the database being
// compacted: every read, and the database after the kill, reads exactly
// as before or as after. A rerun reaches the after state; once the grace
// period has passed, the next compaction leaves no stale upload and no
// file the newest main includes. One database in four holds a
// transaction of some 7 MiB, so that outputs go up in parts, and half of
// its kills land while parts are uploading. A killed compactor's lease
// is removed as if it had expired (TestStore_Lease covers the takeover
// after a TTL, 30 s here).
func TestS3Faults_CompactKilled(t *testing.T) {
	const perCase = 12 // landed kills wanted per kind of compaction
	srv := s3test.Shared(t)
	srv.Setenv(t)
	v := newS3Victim(t, srv)
	templates := []*s3db{s3KillTemplate(t, srv, false), s3KillTemplate(t, srv, true)}
	grace := "--grace=" + killGrace.String()
	cases := []struct {
		args  []string
		after func(before string) string
	}{
		{[]string{"compact", grace}, same},
		{[]string{"compact", "--major", grace}, same},
		{[]string{"compact", "--major", grace, "--gegnum", "sed s/^k/K/"}, func(b string) string {
			return strings.ReplaceAll("\n"+b, "\nk", "\nK")[1:]
		}},
	}
	var cur atomic.Pointer[compactTarget]
	readers := startReaders(t, 1, func() ([]string, func(string) error) {
		time.Sleep(100 * time.Millisecond) // full reads of 7 MiB would take the cores
		c := cur.Load()
		if c == nil {
			return []string{"--version"}, nil
		}
		return []string{"-d", c.db, "read", "%", "--timestamp-nanos"}, func(out string) error {
			if out != c.before && out != c.after {
				return fmt.Errorf("a read during a compaction is neither the before nor the after state (%d rows)", countLines(out))
			}
			return nil
		}
	})
	r := rand.New(rand.NewPCG(17, 18))
	befores := []string{readAll(t, templates[0].loc), readAll(t, templates[1].loc)}
	aborted := 0
	for n, c := range cases {
		tally := newKillTally(strings.Join(c.args, " ") + " on s3")
		var clock killClock
		for i := 0; tally.landed < perCase && tally.attempts < 3*perCase; i++ {
			big := i%4 == 2
			template, before := templates[0], befores[0]
			if big {
				template, before = templates[1], befores[1]
			}
			after := c.after(before)
			d := template.copy(t, fmt.Sprintf("c%d-%d", n, i))
			target := &compactTarget{db: d.loc, before: before, after: after}
			cur.Store(target)
			args := append([]string{"-d", d.loc}, c.args...)
			switch {
			case !big && (i < 4 || i%5 == 0):
				clock.measured(v.timed(t, "", args...))
			default:
				var o killOutcome
				if big {
					o = v.killDuring(t, func(a *attempt) bool { return a.op == "PUT-PART" || r.IntN(20) == 0 }, 30*time.Millisecond, r, "", args...)
				} else {
					o = v.killAfter(t, clock.draw(r), "", args...)
					clock.observe(o)
				}
				if o.err != nil {
					t.Fatalf("%s failed on its own: %v", tally.name, o.err)
				}
				if got := readAll(t, d.loc); got != before && got != after {
					t.Fatalf("%s killed: reads neither as before nor as after", tally.name)
				}
				v.checkNoSpool(t)
				if !o.killed {
					tally.finished()
					break
				}
				phase, midOp := v.phase()
				if len(newNames(template.files(t), d.files(t))) > 0 {
					phase += ", published"
				}
				if big {
					phase += " (big)"
				}
				tally.killed(phase, midOp)
				if d.has(t, ".compact") {
					d.remove(t, ".compact") // as if it had expired
				}
			}
			aborted += len(d.uploads(t))
			chime(t, "", args...)
			if got := readAll(t, d.loc); got != after {
				t.Fatalf("%s after a kill and a rerun: not the after state", tally.name)
			}
			if i%4 == 1 || len(d.uploads(t)) > 0 {
				// Past the grace period, a compaction removes what the
				// newest main includes and every stale upload (with no
				// read in flight: one slower than the grace period would
				// fail, as it must).
				cur.Store(nil)
				waitReads(readers, 2)
				time.Sleep(killGrace + 100*time.Millisecond)
				sweepUploads(t, d)
				chime(t, "", "-d", d.loc, "compact", grace)
				if left := d.leftovers(t); len(left) > 0 {
					t.Fatalf("%s: past the grace period, a compaction left %v", tally.name, left)
				}
			}
			if err := readers.failed(); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %v", tally.name, &clock)
		tally.report(t, perCase)
	}
	t.Logf("compact on s3: %d uploads killed mid-way, aborted past the grace period; %d concurrent full reads, each before or after", aborted, readers.stop(t))
}

// s3KillTemplate builds a database the compaction kill test copies: a
// main, data transactions (with big, one of some 7 MiB, so that outputs
// go up in parts) and a delete marker.
func s3KillTemplate(t *testing.T, srv *s3test.Server, big bool) *s3db {
	t.Helper()
	d := newS3DB(t, srv)
	for tx := range 5 {
		var sb strings.Builder
		for k := range 50 {
			for ts := range 100 {
				fmt.Fprintf(&sb, "k%03d %d %d\n", k, tx*50+ts, tx*1000+ts)
			}
		}
		chime(t, sb.String(), "-d", d.loc, "add", "-f", "u")
		if tx == 0 {
			chime(t, "", "-d", d.loc, "compact", "--major")
		}
	}
	if big {
		m := newAddModel(d.loc)
		_, input, _ := m.bigRound(rand.New(rand.NewPCG(1, 1)))
		chime(t, strings.ReplaceAll(input, "a00001.big", "kbig"), "-d", d.loc, "add", "-f", "s")
	}
	chime(t, "", "-d", d.loc, "delete", "k01%", "--after-time", "1970-01-01T00:00:00.000000100")
	return d
}

// copy copies the database's objects to a new prefix of its bucket,
// server-side: the same names and bytes.
func (d *s3db) copy(t *testing.T, name string) *s3db {
	t.Helper()
	n := &s3db{loc: "s3://" + d.bucket + "/" + name, bucket: d.bucket, prefix: name + "/", client: d.client}
	ctx, cancel := bg()
	defer cancel()
	for _, o := range d.objects(t) {
		if strings.HasPrefix(o, ".compact") {
			continue
		}
		if _, err := d.client.CopyObject(ctx, s3api.CopyObjectInput{
			Bucket: d.bucket, Key: n.prefix + o, SourceBucket: d.bucket, SourceKey: d.prefix + o,
		}); err != nil {
			t.Fatalf("copy %s: %v", o, err)
		}
	}
	return n
}

// TestS3Faults_ServeKilled SIGKILLs chime serve -d s3:// at random
// moments while two clients PUT rows and a reader reads: after a restart
// every PUT answered 201 is readable, every other PUT wholly visible or
// invisible in every read.
func TestS3Faults_ServeKilled(t *testing.T) {
	srv := s3test.Shared(t)
	srv.Setenv(t)
	serveKills{
		name: "serve on s3", kills: 40, perDB: 20, seed: 19,
		newDB: func() string { return newS3DB(t, srv).loc },
	}.run(t)
}
