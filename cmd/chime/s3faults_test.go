//go:build s3faults

package main

// The object-storage fault suite (issue 10), chime as a process against a
// real SeaweedFS (internal/s3test), each test able to fail:
//
//   - AddKilled, CompactKilled, ServeKilled: the kill suite's rounds on
//     s3:// (SIGKILL of add, of serve during PUTs, of minor, major and
//     --gegnum compactions at random moments, with a short --grace):
//     every acknowledged row readable, a killed command's rows all or
//     nothing, in every concurrent read too, and no stale multipart upload
//     left by a compaction once it is older than the grace period;
//   - Proxy: a fault-injecting HTTP proxy between chime and the server
//     fails requests, delays them past the client's timeout, cuts reply
//     bodies short, and applies writes yet reports failure: nothing
//     acknowledged is lost, nothing is committed twice, and every failure
//     is one clear line;
//   - ServerRestart: the server killed (SIGKILL) and restarted mid-read
//     and mid-upload: a clear error, nothing lost, a retry completes;
//   - ReaderRacesCompactions: readers in other processes racing
//     compactions get exact rows or a clean error;
//   - MultiNode: one master, three volume servers, replication 001, one
//     volume server killed mid-read: reads go on, nothing lost.
//
// It runs with -tags s3faults (make s3faults, part of make test), after
// the other tests: its kill delays are drawn from measured durations. It
// needs the weed binary (scripts/seaweedfs.sh); without it, it skips and
// says so, except under CI, where it fails.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format/segment"
	"github.com/chime-tsdb/chime/internal/s3api"
	"github.com/chime-tsdb/chime/internal/s3test"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// s3db is a database location on a server, and a client to inspect its
// objects behind chime's back.
type s3db struct {
	loc    string
	bucket string
	prefix string // ends in '/'
	client *s3api.Client
}

// newS3DB makes a database on srv (init), in a new bucket.
func newS3DB(t testing.TB, srv *s3test.Server) *s3db {
	t.Helper()
	bucket := srv.Bucket(t)
	d := &s3db{loc: "s3://" + bucket + "/db", bucket: bucket, prefix: "db/", client: srv.Client()}
	chime(t, "", "init", d.loc)
	return d
}

// sub is another database in the same bucket.
func (d *s3db) sub(t testing.TB, name string) *s3db {
	t.Helper()
	n := &s3db{loc: "s3://" + d.bucket + "/" + name, bucket: d.bucket, prefix: name + "/", client: d.client}
	chime(t, "", "init", n.loc)
	return n
}

func bg() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 60*time.Second)
}

// objects lists the object names of the database (lease and probe too).
func (d *s3db) objects(t testing.TB) []string {
	t.Helper()
	ctx, cancel := bg()
	defer cancel()
	var out []string
	in := s3api.ListObjectsV2Input{Bucket: d.bucket, Prefix: d.prefix}
	for {
		page, err := d.client.ListObjectsV2(ctx, in)
		if err != nil {
			t.Fatalf("list %s: %v", d.loc, err)
		}
		for _, o := range page.Contents {
			out = append(out, strings.TrimPrefix(o.Key, d.prefix))
		}
		if !page.IsTruncated {
			break
		}
		in.ContinuationToken = page.NextContinuationToken
	}
	slices.Sort(out)
	return out
}

// files lists the database's published files: mains and transactions.
func (d *s3db) files(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, n := range d.objects(t) {
		if n == "main" || strings.HasPrefix(n, "main.") || strings.HasPrefix(n, "tx.") {
			out = append(out, n)
		}
	}
	return out
}

// uploads lists the incomplete multipart uploads of the database, with
// when each started.
func (d *s3db) uploads(t testing.TB) map[string]time.Time {
	t.Helper()
	ctx, cancel := bg()
	defer cancel()
	ups := map[string]time.Time{}
	in := s3api.ListMultipartUploadsInput{Bucket: d.bucket, Prefix: d.prefix}
	for {
		page, err := d.client.ListMultipartUploads(ctx, in)
		if err != nil {
			t.Fatalf("list uploads of %s: %v", d.loc, err)
		}
		for _, u := range page.Uploads {
			ups[strings.TrimPrefix(u.Key, d.prefix)+" "+u.UploadID] = u.Initiated
		}
		if !page.IsTruncated {
			return ups
		}
		in.KeyMarker, in.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}

// has reports whether the database holds the object name.
func (d *s3db) has(t testing.TB, name string) bool {
	return slices.Contains(d.objects(t), name)
}

// remove deletes objects behind chime's back.
func (d *s3db) remove(t testing.TB, names ...string) {
	t.Helper()
	ctx, cancel := bg()
	defer cancel()
	for _, n := range names {
		if err := d.client.DeleteObject(ctx, s3api.DeleteObjectInput{Bucket: d.bucket, Key: d.prefix + n}); err != nil {
			t.Fatalf("delete %s: %v", n, err)
		}
	}
}

// segment opens a file of the database, for its included list and keys.
func (d *s3db) segment(t testing.TB, name string) *segment.Reader {
	t.Helper()
	st, err := s3.Open(d.loc, s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.Open(name, "")
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	if f.Size() == 0 {
		return nil // an empty main
	}
	seg, err := segment.Open(f, f.Size())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return seg
}

// included lists the names a file of the database includes.
func (d *s3db) included(t testing.TB, name string) []string {
	t.Helper()
	seg := d.segment(t, name)
	if seg == nil {
		return nil
	}
	var out []string
	for _, inc := range seg.Included() {
		out = append(out, inc.Name)
	}
	return out
}

// keys lists the distinct keys stored in a file of the database.
func (d *s3db) keys(t testing.TB, name string) []string {
	t.Helper()
	seg := d.segment(t, name)
	if seg == nil {
		return nil
	}
	var out []string
	c := seg.Seek(nil)
	for c.Next() {
		if k := string(c.Entry().Key); len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	if err := c.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// fingerprint lists the published files with their included lists: it
// changes when a compaction publishes.
func (d *s3db) fingerprint(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, n := range d.files(t) {
		out = append(out, n+":"+strings.Join(d.included(t, n), ","))
	}
	return out
}

// leftovers lists the files that the newest main includes (garbage that
// a sweep after the grace period must remove) and older mains.
func (d *s3db) leftovers(t testing.TB) []string {
	t.Helper()
	files := d.files(t)
	var mains []string
	for _, n := range files {
		if n == "main" || strings.HasPrefix(n, "main.") {
			mains = append(mains, n)
		}
	}
	newest := slices.Max(mains)
	left := slices.DeleteFunc(slices.Clone(mains), func(n string) bool { return n == newest })
	for _, inc := range d.included(t, newest) {
		if slices.Contains(files, inc) {
			left = append(left, inc)
		}
	}
	slices.Sort(left)
	return left
}

// clientNoise is what a failure said in the S3 client's words shows:
// chime must say one line, "chime: " first, without internal/s3api's
// wrapping (an operation's name before the object's URL) or Go's HTTP
// client's (a method before a quoted URL).
var clientNoise = regexp.MustCompile(`\b(Get|Put|Head|Delete|Copy)Object s3://|\b(ListObjectsV2|ListMultipartUploads|CreateMultipartUpload|UploadPart|CompleteMultipartUpload|AbortMultipartUpload|HeadBucket|CreateBucket) s3://|\b(Get|Put|Post|Head|Delete) "https?://`)

// clearFailure reports why stderr is not one clear line, nil when it is.
func clearFailure(stderr string) error {
	line := strings.TrimSuffix(stderr, "\n")
	switch {
	case line == "":
		return errors.New("failed without a message")
	case strings.Contains(line, "\n"):
		return fmt.Errorf("a failure of several lines:\n%s", stderr)
	case !strings.HasPrefix(line, "chime: "):
		return fmt.Errorf("a failure not starting with \"chime: \": %s", line)
	case clientNoise.MatchString(line):
		return fmt.Errorf("a failure in the S3 client's words: %s", line)
	}
	return nil
}

// run is one chime process: its output, stderr and exit status.
type run struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// runEnv runs chime with extra environment and stdin.
func runEnv(t testing.TB, env []string, stdin string, args ...string) run {
	t.Helper()
	cmd := exec.Command(mustBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// fault is what the proxy does to one request attempt.
type fault int

const (
	pass        fault = iota
	refuse            // answer 500 InternalError, forward nothing
	drop              // close the connection, forward nothing
	delayBefore       // hold the request past the client's timeout, then forward it
	delayReply        // forward at once, hold the reply past the timeout
	cutBody           // forward, send half the reply's body and close
	applyFail         // forward (applied), answer 500
	applyDrop         // forward (applied), close the connection
	numFaults
)

var faultNames = [...]string{"pass", "refuse", "drop", "delay before", "delay reply", "cut body", "apply+500", "apply+drop"}

func (f fault) String() string { return faultNames[f] }

// attempt is one request attempt as the proxy saw it.
type attempt struct {
	op, key    string
	invocation string // amz-sdk-invocation-id: the same for each retry
	ranged     bool   // a GET of a range
	tail       bool   // a GET of an object's tail (Range: bytes=-N)
	fault      fault
	status     int // the server's status when forwarded
	at         time.Time
}

// s3Proxy is an HTTP proxy in front of an S3 server that records every
// request attempt and injects the faults its plan chooses. Requests keep
// their signature: the proxy forwards them with the Host they were signed
// for.
type s3Proxy struct {
	URL    string
	target *url.URL
	srv    *httptest.Server
	tr     *http.Transport
	delay  time.Duration // of delayBefore and delayReply

	mu       sync.Mutex
	plan     func(a *attempt) fault // nil: pass everything
	log      []attempt
	inflight int        // requests being handled, under mu
	idle     *sync.Cond // on mu: signalled when inflight drops to 0
}

// newS3Proxy starts a proxy to endpoint; delay should exceed the clients'
// timeout.
func newS3Proxy(t testing.TB, endpoint string, delay time.Duration) *s3Proxy {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &s3Proxy{target: u, delay: delay, tr: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 32}}
	p.idle = sync.NewCond(&p.mu)
	p.srv = httptest.NewServer(p)
	p.URL = p.srv.URL
	t.Cleanup(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.drain()
	})
	return p
}

// setPlan sets the plan of faults (nil: none) and clears the log.
func (p *s3Proxy) setPlan(plan func(a *attempt) fault) {
	p.mu.Lock()
	p.plan, p.log = plan, nil
	p.mu.Unlock()
}

// attempts returns the log since the last setPlan.
func (p *s3Proxy) attempts() []attempt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.log)
}

// drain waits until every request the proxy holds has been forwarded and
// answered: a delayed write may land after its client gave up. (Not a
// WaitGroup: requests may still arrive while it waits.)
func (p *s3Proxy) drain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.inflight > 0 {
		p.idle.Wait()
	}
}

// opOf names a request as chime's request counts do.
func opOf(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && (q.Has("list-type") || q.Has("delimiter") || q.Has("prefix")):
		return "LIST"
	case q.Has("uploads") && r.Method == http.MethodGet:
		return "LIST-UPLOADS"
	case q.Has("uploads"):
		return "CREATE-UPLOAD"
	case q.Has("partNumber"):
		return "PUT-PART"
	case q.Has("uploadId") && r.Method == http.MethodPost:
		return "COMPLETE-UPLOAD"
	case q.Has("uploadId") && r.Method == http.MethodDelete:
		return "ABORT-UPLOAD"
	}
	return r.Method
}

func (p *s3Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.inflight++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		if p.inflight--; p.inflight == 0 {
			p.idle.Broadcast()
		}
		p.mu.Unlock()
	}()
	a := attempt{op: opOf(r), key: r.URL.Path, invocation: r.Header.Get("amz-sdk-invocation-id"), at: time.Now()}
	rng := r.Header.Get("Range")
	a.ranged, a.tail = rng != "", strings.HasPrefix(rng, "bytes=-")
	// The whole body first: a client that dies mid-request sends nothing
	// a server would apply.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	p.mu.Lock()
	if p.plan != nil {
		a.fault = p.plan(&a)
	}
	i := len(p.log)
	p.log = append(p.log, a)
	p.mu.Unlock()
	switch a.fault {
	case refuse:
		injectedError(w)
		return
	case drop:
		panic(http.ErrAbortHandler)
	case delayBefore:
		time.Sleep(p.delay)
	}
	resp, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	p.mu.Lock()
	p.log[i].status = resp.StatusCode
	p.mu.Unlock()
	switch a.fault {
	case applyFail:
		io.Copy(io.Discard, resp.Body)
		injectedError(w)
		return
	case applyDrop:
		io.Copy(io.Discard, resp.Body)
		panic(http.ErrAbortHandler)
	case delayReply:
		time.Sleep(p.delay)
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	if a.fault == cutBody && resp.ContentLength > 1 {
		io.CopyN(w, resp.Body, resp.ContentLength/2)
		panic(http.ErrAbortHandler)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// forward sends the request to the server, whether or not its client
// still waits.
func (p *s3Proxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	u := *r.URL
	u.Scheme, u.Host = p.target.Scheme, p.target.Host
	req, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	req.ContentLength = int64(len(body))
	req.Host = r.Host // the host the request was signed for
	return p.tr.RoundTrip(req)
}

// injectedError answers as an S3 server failing internally.
func injectedError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>`)
}
