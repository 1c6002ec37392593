// Package s3test runs a real S3 server, SeaweedFS's weed, for the tests:
// on loopback only, every port set explicitly, an identities file with
// one key pair, ready when a signed S3 call succeeds, stopped with
// SIGKILL (SIGTERM takes some 17 s), its sockets in /tmp removed after.
//
// The weed binary is built once by scripts/seaweedfs.sh and cached; the
// tests find it there (or at $CHIME_WEED). Without it they skip, saying
// how to build it, except under CI, where .ci/run builds it first and a
// missing binary fails.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/internal/s3api"
)

// WeedVersion is the SeaweedFS module version scripts/seaweedfs.sh builds.
const WeedVersion = "v0.0.0-20261109003541-7506e5f91cd6"

// The key pair of the identities file.
const (
	AccessKey = "chimetest"
	SecretKey = "chimetestsecret0123456789"
)

// Binary returns the path of the cached weed binary.
func Binary() (string, error) {
	if p := os.Getenv("CHIME_WEED"); p != "" {
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		cache = filepath.Join(home, ".cache")
	}
	p := filepath.Join(cache, "chime", "weed-"+WeedVersion)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no SeaweedFS binary at %s (build it with scripts/seaweedfs.sh): %w", p, err)
	}
	return p, nil
}

// Server is a running weed server: master, volume, filer and S3 gateway
// in one process, plus extra volume servers for a multi-node cluster.
type Server struct {
	// Endpoint is the S3 endpoint, http://127.0.0.1:PORT.
	Endpoint string
	dir      string
	bin      string
	args     []string
	ports    []int
	cmd      *exec.Cmd
	volumes  []*exec.Cmd
	volArgs  [][]string
	log      *os.File
	// readyBucket is where ready writes its probe.
	readyBucket string
}

// Options choose the cluster.
type Options struct {
	// Volumes is the number of volume servers of a multi-node cluster,
	// each a process of its own (0: one volume server, in the server's
	// process); Replication is the master's default replication ("001":
	// one more copy on another server of the same rack).
	Volumes     int
	Replication string
}

// Start starts a server in a new directory under dir.
func Start(dir string, o Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin}
	if s.ports, err = freePorts(8 + 2*o.Volumes); err != nil {
		return nil, err
	}
	ids := filepath.Join(dir, "identities.json")
	if err := os.WriteFile(ids, []byte(identities), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	p := s.ports
	s.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", p[6])
	s.args = []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + strconv.Itoa(p[0]), "-master.port.grpc=" + strconv.Itoa(p[1]),
		"-volume.port=" + strconv.Itoa(p[2]), "-volume.port.grpc=" + strconv.Itoa(p[3]),
		"-filer.port=" + strconv.Itoa(p[4]), "-filer.port.grpc=" + strconv.Itoa(p[5]),
		"-s3", "-s3.port=" + strconv.Itoa(p[6]), "-s3.port.grpc=" + strconv.Itoa(p[7]),
		"-s3.config=" + ids, "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-master.telemetry=false", "-master.electionTimeout=1s", "-volume.preStopSeconds=0",
		"-master.volumeSizeLimitMB=256", "-volume.max=0",
	}
	if o.Replication != "" {
		s.args = append(s.args, "-master.defaultReplication="+o.Replication)
	}
	if o.Volumes > 0 {
		// The extra volume servers hold every byte: one of them dying is
		// then the loss of a third of the storage.
		s.args = append(s.args, "-volume=false")
	}
	for i := range o.Volumes {
		vdir := filepath.Join(dir, fmt.Sprintf("vol%d", i))
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return nil, err
		}
		vp := p[8+2*i:]
		s.volArgs = append(s.volArgs, []string{"volume", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + vdir,
			"-port=" + strconv.Itoa(vp[0]), "-port.grpc=" + strconv.Itoa(vp[1]),
			"-master=127.0.0.1:" + strconv.Itoa(p[0]) + "." + strconv.Itoa(p[1]),
			"-preStopSeconds=0", "-max=0"})
	}
	if s.log, err = os.Create(filepath.Join(dir, "weed.log")); err != nil {
		return nil, err
	}
	if err := s.run(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

const identities = `{"identities":[{"name":"chime","credentials":[{"accessKey":"` + AccessKey + `","secretKey":"` + SecretKey + `"}],"actions":["Admin","Read","Write","List","Tagging"]}]}`

// run starts the processes and waits until the S3 gateway answers a
// signed request.
func (s *Server) run() error {
	s.cmd = s.start(s.args)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start weed: %w", err)
	}
	s.volumes = nil
	for _, a := range s.volArgs {
		v := s.start(a)
		if err := v.Start(); err != nil {
			return fmt.Errorf("start weed volume: %w", err)
		}
		s.volumes = append(s.volumes, v)
	}
	return s.ready(90 * time.Second)
}

func (s *Server) start(args []string) *exec.Cmd {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = procAttr()
	return cmd
}

// ready waits until a bucket can be created and listed with the key pair
// (a real signed S3 call, not /healthz).
func (s *Server) ready(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := s.Client()
	if s.readyBucket == "" {
		s.readyBucket = "ready-" + randomHex(4)
	}
	// The same bucket at every start: a new one would wait for volumes
	// to be allocated to its collection.
	name := s.readyBucket
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = c.CreateBucket(ctx, name)
		if code := s3api.CodeOf(err); err == nil || code == "BucketAlreadyExists" || code == "BucketAlreadyOwnedByYou" {
			_, err = c.PutObject(ctx, s3api.PutObjectInput{Bucket: name, Key: "ready", Body: strings.NewReader("ok"), Size: 2})
		}
		cancel()
		if err == nil {
			return nil
		}
		if s.cmd.ProcessState != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("weed did not become ready (log in %s): %v", s.log.Name(), err)
}

// Client is an S3 client of the server with the test key pair, each
// attempt within 10 s.
func (s *Server) Client() *s3api.Client {
	c, err := s3api.New(s3api.Config{
		Endpoint:    s.Endpoint,
		Region:      "us-east-1",
		Credentials: s3api.Static(s3api.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}),
		Timeout:     10 * time.Second,
	})
	if err != nil {
		panic(err) // the endpoint is ours: a URL
	}
	return c
}

// Env is the environment that points chime (and AWS's tools) at the
// server: endpoint, key pair, region, and no instance metadata lookups.
func (s *Server) Env() []string {
	return EnvFor(s.Endpoint)
}

// EnvFor is Env for another endpoint (a proxy in front of the server).
func EnvFor(endpoint string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}

// Setenv sets Env in the test's environment.
func (s *Server) Setenv(t testing.TB) {
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Bucket creates a new bucket and returns its name.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := "t" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Client().CreateBucket(ctx, name); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return name
}

// Kill stops every process of the server with SIGKILL, at once.
func (s *Server) Kill() {
	for _, c := range append([]*exec.Cmd{s.cmd}, s.volumes...) {
		if c != nil && c.Process != nil {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			c.Wait()
		}
	}
	s.removeSockets()
}

// KillVolume kills extra volume server i.
func (s *Server) KillVolume(i int) {
	c := s.volumes[i]
	syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	c.Wait()
}

// VolumeDir is the data directory of extra volume server i.
func (s *Server) VolumeDir(i int) string { return filepath.Join(s.dir, fmt.Sprintf("vol%d", i)) }

// Restart kills the server and starts it again on the same ports and
// data.
func (s *Server) Restart() error {
	s.Kill()
	return s.run()
}

// Resume starts a killed server again on the same ports and data, and
// waits until it is ready.
func (s *Server) Resume() error { return s.run() }

// Close kills the server and removes its sockets (the directory is the
// caller's).
func (s *Server) Close() {
	s.Kill()
	if s.log != nil {
		s.log.Close()
	}
}

// removeSockets removes the Unix sockets weed leaves in /tmp, named by
// port.
func (s *Server) removeSockets() {
	for _, p := range s.ports {
		matches, _ := filepath.Glob(fmt.Sprintf("/tmp/seaweedfs-*-%d.sock", p))
		for _, m := range matches {
			os.Remove(m)
		}
	}
}

// freePorts finds n free loopback ports, below 55535 (weed derives
// nothing from them, every port is given).
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for len(out) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		if p := l.Addr().(*net.TCPAddr).Port; p < 55535 {
			out = append(out, p)
		}
	}
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// The server shared by a test binary's tests: started on first use,
// stopped by StopShared at the end of TestMain.
var (
	sharedMu  sync.Mutex
	shared    *Server
	sharedErr error
	sharedDir string
)

// Shared returns the test binary's server, starting it on first use. A
// missing weed binary skips the test (fails it under CI).
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		if _, err := Binary(); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal(err)
			}
			t.Skip(err)
		}
		sharedDir, sharedErr = os.MkdirTemp("", "chime-weed-")
		if sharedErr == nil {
			shared, sharedErr = Start(sharedDir, Options{})
		}
	}
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// StopShared stops the shared server, if it ran, and removes its data.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.Close()
		shared = nil
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}
