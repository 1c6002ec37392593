package main

// Whole-command tests on object storage (a real SeaweedFS, see
// internal/s3test) for what the testscripts cannot show: sync between
// stores, the compaction lease against --no-wait, serve --root s3://,
// concurrent writer processes, and the one-line errors of a bad
// configuration.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3test"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// s3Location returns a fresh database location on the shared server, with
// the environment set for chime to reach it.
func s3Location(t *testing.T) string {
	t.Helper()
	srv := s3test.Shared(t)
	srv.Setenv(t)
	return "s3://" + srv.Bucket(t) + "/db"
}

// TestS3_Sync: local -> S3 -> S3 -> local copies are incremental and read
// as the source, through compactions on either side.
func TestS3_Sync(t *testing.T) {
	loc := s3Location(t)
	local := newDB(t)
	for i := range 3 {
		chime(t, fmt.Sprintf("k%d %d %d\n", i, i+1, i), "-d", local, "add", "-f", "u")
	}
	chime(t, "", "-d", local, "compact", "--major")
	chime(t, "k9 9 9\n", "-d", local, "add", "-f", "u")
	want := readAll(t, local)
	chime(t, "", "sync", local, loc)
	if got := readAll(t, loc); got != want {
		t.Fatalf("S3 copy reads\n%s\nwant\n%s", got, want)
	}
	out, err := runChime("", "sync", local, loc)
	if err != nil || out != "" {
		t.Fatalf("second sync: %q, %v", out, err)
	}
	chime(t, "k8 8 8\n", "-d", local, "add", "-f", "u")
	chime(t, "", "-d", local, "compact")
	chime(t, "", "sync", local, loc)
	want = readAll(t, local)
	loc2 := strings.TrimSuffix(loc, "/db") + "/db2"
	chime(t, "", "sync", loc, loc2)
	back := filepath.Join(t.TempDir(), "back")
	chime(t, "", "sync", loc2, back)
	for _, l := range []string{loc, loc2, back} {
		if got := readAll(t, l); got != want {
			t.Fatalf("%s reads\n%s\nwant\n%s", l, got, want)
		}
	}
	chime(t, "", "-d", back, "check")
}

// TestS3_CompactNoWait: while another holds the compaction lease,
// compact --no-wait exits 3 at once; once released it compacts.
func TestS3_CompactNoWait(t *testing.T) {
	loc := s3Location(t)
	chime(t, "", "init", loc)
	chime(t, "a 1 1\n", "-d", loc, "add", "-f", "u")
	chime(t, "a 2 2\n", "-d", loc, "add", "-f", "u")
	st, err := s3.Open(loc, s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.Lock(".compact", false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(mustBinary(t), "-d", loc, "compact", "--no-wait")
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != exitLocked || !strings.Contains(string(out), "another compaction is running") {
		t.Fatalf("compact --no-wait under a held lease: status %d, %s", cmd.ProcessState.ExitCode(), out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("--no-wait took %v", d)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	chime(t, "", "-d", loc, "compact", "--no-wait")
	if got := readAll(t, loc); got != "a\t1\t1\na\t2\t2\n" {
		t.Fatalf("after compact: %q", got)
	}
}

// TestS3_Errors: a missing bucket, wrong credentials and an unreachable
// endpoint each get one line and exit 1, quickly.
func TestS3_Errors(t *testing.T) {
	loc := s3Location(t)
	bucket := strings.TrimPrefix(strings.TrimSuffix(loc, "/db"), "s3://")
	for _, c := range []struct {
		name, loc string
		env       []string
		want      string
	}{
		{"missing bucket", "s3://no-such-bucket-x/db", nil, `bucket "no-such-bucket-x" does not exist`},
		{"wrong secret", loc, []string{"AWS_SECRET_ACCESS_KEY=wrong"}, "access denied"},
		{"wrong key", loc, []string{"AWS_ACCESS_KEY_ID=nobody"}, "access denied"},
		{"unreachable", "s3://" + bucket + "/db", []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1"}, "cannot reach the S3 endpoint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, kv := range c.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			start := time.Now()
			_, err := runChime("", "-d", c.loc, "read", "%")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "exit status 1: chime: ") || strings.Count(err.Error(), "\n") > 0 {
				t.Fatalf("got %v, want one line with %q", err, c.want)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

// TestS3_NoConditionalWrites: a server that answers 200 to every
// conditional PUT (as old SeaweedFS releases and some gateways do) is
// refused by init and by the first write, with one line.
func TestS3_NoConditionalWrites(t *testing.T) {
	loc := s3Location(t)
	srv := s3test.Shared(t)
	chime(t, "", "init", loc)
	lying := httptest.NewServer(ignoreConditions(srv.Endpoint))
	defer lying.Close()
	t.Setenv("AWS_ENDPOINT_URL", lying.URL)
	for _, args := range [][]string{{"init", loc + "2"}, {"-d", loc, "add", "-f", "u"}} {
		_, err := runChime("a 1 1\n", args...)
		if err == nil || !strings.Contains(err.Error(), "does not honour conditional writes") {
			t.Fatalf("chime %v on a server without conditional writes: %v", args, err)
		}
	}
}

// ignoreConditions is a reverse proxy to endpoint that answers a
// conditional PUT itself with 200, as a server that ignores the condition
// would (it does not forward it: the signature covers the header).
func ignoreConditions(endpoint string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && (r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Match") != "") {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
			return
		}
		req, _ := http.NewRequest(r.Method, endpoint+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		req.ContentLength = r.ContentLength
		req.Host = r.Host
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
}

// TestS3_ConcurrentWriters: 8 writer processes commit 50 times each at
// once: nothing is lost, every writer's commits are in its order, and no
// commit acknowledged before another started loses to it (each commit
// writes the key "last" with its own number, and a commit that started
// after another was acknowledged must win over it).
func TestS3_ConcurrentWriters(t *testing.T) {
	loc := s3Location(t)
	chime(t, "", "init", loc)
	const writers, commits = 8, 50
	type ack struct {
		w, i          int
		start, finish time.Time
	}
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	begin := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range commits {
				start := time.Now()
				// One timestamp for every commit of the key "last": the
				// last writer by commit order wins.
				in := fmt.Sprintf("last 1 %d\nw%d %d %d\n", w*1000+i, w, i+1, i)
				if _, err := runChime(in, "-d", loc, "add", "-f", "u"); err != nil {
					t.Errorf("writer %d commit %d: %v", w, i, err)
					return
				}
				mu.Lock()
				acks = append(acks, ack{w, i, start, time.Now()})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	t.Logf("%d commits by %d processes in %v: %.0f commits/s", writers*commits, writers, elapsed.Round(time.Millisecond), float64(writers*commits)/elapsed.Seconds())
	out := chime(t, "", "-d", loc, "read", "w%", "--timestamp-nanos")
	for w := range writers {
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if strings.HasPrefix(line, fmt.Sprintf("w%d\t", w)) {
				got = append(got, strings.Split(line, "\t")[2])
			}
		}
		if len(got) != commits {
			t.Fatalf("writer %d: %d rows, want %d", w, len(got), commits)
		}
	}
	// The winner of "last" is a commit that no acknowledged commit
	// started after.
	last := strings.TrimSpace(chime(t, "", "-d", loc, "read", "last", "--timestamp-nanos"))
	v, _ := strconv.Atoi(strings.Split(last, "\t")[2])
	winner := slices.IndexFunc(acks, func(a ack) bool { return a.w*1000+a.i == v })
	if winner < 0 {
		t.Fatalf("last = %d, not a commit", v)
	}
	for _, a := range acks {
		if a.start.After(acks[winner].finish) {
			t.Fatalf("commit w%d#%d started after w%d#%d was acknowledged, but lost to it", a.w, a.i, acks[winner].w, acks[winner].i)
		}
	}
}
