//go:build sshfs

package main

// The harness of the sshfs suite (sshfs_test.go): a private sshd on a
// loopback port, with its own configuration, host key and authorized key
// in a temporary directory (never ~/.ssh, never the system's sshd), and a
// directory it serves mounted with sshfs at its default cache settings.
// The test's cleanup unmounts and stops sshd even after a failure; both
// processes die with the test binary (PR_SET_PDEATHSIG), and a mount a
// killed run left behind is unmounted by the next run.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sshfsHost is the host alias of the private sshd in the client's
// configuration; mounts show it as their source, which tells the suite's
// mounts from any other.
const sshfsHost = "chime-sshfs-test"

// fuseMagic is FUSE_SUPER_MAGIC, the statfs type of a FUSE mount.
const fuseMagic = 0x65735546

// sshfsMount is a local directory (the server side) served by a private
// sshd and mounted with sshfs (the client side).
type sshfsMount struct {
	dir  string // keys, configurations
	srv  string // the directory sshd serves
	mnt  string // where sshfs mounts srv
	sshd *daemon
	fs   *daemon // sshfs -f
}

// requireSSHFS skips the test, saying why, where it cannot run: not root,
// no /dev/fuse, no sshd or sshfs. With CI set it fails instead: CI must
// run it.
func requireSSHFS(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("sshfs test: not with -short")
	}
	if os.Geteuid() != 0 {
		cannotRun(t, "needs root to run sshd and log in to it")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		cannotRun(t, "no FUSE: %v", err)
	}
	if _, err := sshdPath(); err != nil {
		cannotRun(t, "%v (apt-get install openssh-server)", err)
	}
	for _, tool := range []string{"ssh", "ssh-keygen", "sshfs", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			cannotRun(t, "%s not found (apt-get install openssh-client sshfs fuse3 mount)", tool)
		}
	}
}

// cannotRun skips the test with the reason, or fails it in CI.
func cannotRun(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := "sshfs test: " + fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set: the suite must run)")
	}
	t.Skip(msg)
}

// sshdPath is the absolute path of sshd, which sshd needs to re-execute
// itself; /usr/sbin is often missing from $PATH.
func sshdPath() (string, error) {
	if p, err := exec.LookPath("sshd"); err == nil {
		return filepath.Abs(p)
	}
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		return "", fmt.Errorf("sshd not found: %w", err)
	}
	return "/usr/sbin/sshd", nil
}

// newSSHFSMount starts sshd and mounts its served directory; the test's
// cleanup undoes both.
func newSSHFSMount(t *testing.T) *sshfsMount {
	t.Helper()
	requireSSHFS(t)
	unmountDead(t)
	base := t.TempDir()
	m := &sshfsMount{
		dir: filepath.Join(base, "ssh"),
		srv: filepath.Join(base, "srv"),
		mnt: filepath.Join(base, "mnt"),
	}
	for _, d := range []string{m.dir, m.srv, m.mnt} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	m.keys(t)
	m.startSSHD(t)
	m.mount(t)
	return m
}

// keys generates the host key and the client key, and authorizes the
// client key.
func (m *sshfsMount) keys(t *testing.T) {
	t.Helper()
	for _, k := range []string{"host_key", "client_key"} {
		if err := runTool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", sshfsHost, "-f", m.path(k)); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := os.ReadFile(m.path("client_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	m.write(t, "authorized_keys", string(pub))
	host, err := os.ReadFile(m.path("host_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	m.write(t, "known_hosts", sshfsHost+" "+string(host))
}

func (m *sshfsMount) path(name string) string { return filepath.Join(m.dir, name) }

func (m *sshfsMount) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(m.path(name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startSSHD starts sshd on a free loopback port, trying another port if
// the one it was given was taken meanwhile.
func (m *sshfsMount) startSSHD(t *testing.T) {
	t.Helper()
	bin, err := sshdPath()
	if err != nil {
		t.Fatal(err)
	}
	privsepDir(t)
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		m.write(t, "sshd_config", m.sshdConfig(port))
		m.write(t, "ssh_config", m.sshConfig(port))
		d, err := startDaemon(bin, "-D", "-e", "-f", m.path("sshd_config"))
		if err != nil {
			t.Fatal(err)
		}
		err = d.await("Server listening on 127.0.0.1 port", 10*time.Second)
		if err == nil {
			m.sshd = d
			t.Cleanup(func() { m.stopSSHD(t) })
			t.Logf("sshd %d listening on 127.0.0.1:%d", d.cmd.Process.Pid, port)
			return
		}
		d.stop(syscall.SIGKILL)
		if attempt == 3 {
			t.Fatalf("sshd: %v", err)
		}
	}
}

// sshdConfig lets the client key log in as root and serves SFTP in
// process; nothing comes from /etc/ssh or ~/.ssh.
func (m *sshfsMount) sshdConfig(port int) string {
	return strings.Join([]string{
		fmt.Sprintf("Port %d", port),
		"ListenAddress 127.0.0.1",
		"HostKey " + m.path("host_key"),
		"AuthorizedKeysFile " + m.path("authorized_keys"),
		"PidFile none",
		// The keys live under /tmp, which is world-writable.
		"StrictModes no",
		"PermitRootLogin prohibit-password",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"UseDNS no",
		"PrintMotd no",
		"X11Forwarding no",
		"AllowTcpForwarding no",
		"PermitTTY no",
		"Subsystem sftp internal-sftp",
	}, "\n") + "\n"
}

// sshConfig is the whole client configuration (ssh -F): no agent, no
// other key, no global or user known_hosts, never a prompt.
func (m *sshfsMount) sshConfig(port int) string {
	return strings.Join([]string{
		"Host " + sshfsHost,
		"  HostName 127.0.0.1",
		fmt.Sprintf("  Port %d", port),
		"  User root",
		"  IdentityFile " + m.path("client_key"),
		"  IdentitiesOnly yes",
		"  IdentityAgent none",
		"  HostKeyAlias " + sshfsHost,
		"  UserKnownHostsFile " + m.path("known_hosts"),
		"  GlobalKnownHostsFile /dev/null",
		"  StrictHostKeyChecking yes",
		"  UpdateHostKeys no",
		"  BatchMode yes",
		"  ConnectTimeout 10",
	}, "\n") + "\n"
}

// privsepDir makes sshd's privilege separation directory, /run/sshd,
// which systemd makes when it starts the system's sshd; an empty
// directory the system's sshd would make too, it is left in place.
func privsepDir(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/run/sshd"); err == nil {
		return
	}
	if err := os.Mkdir("/run/sshd", 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		t.Fatalf("sshd's privilege separation directory: %v", err)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// stopSSHD stops sshd after the mount is gone (cleanups run last-in,
// first-out, and the mount registers its cleanup after this one).
func (m *sshfsMount) stopSSHD(t *testing.T) {
	if err := m.sshd.stop(syscall.SIGTERM); err != nil {
		t.Errorf("cleanup: sshd: %v", err)
	}
	if t.Failed() {
		t.Logf("sshd's log:\n%s", m.sshd.log())
	}
}

// mount runs sshfs in the foreground, with its default cache settings,
// and waits until srv is mounted on mnt.
func (m *sshfsMount) mount(t *testing.T) {
	t.Helper()
	d, err := startDaemon("sshfs", "-f", "-F", m.path("ssh_config"), sshfsHost+":"+m.srv, m.mnt)
	if err != nil {
		t.Fatal(err)
	}
	m.fs = d
	t.Cleanup(func() { m.unmount(t) })
	deadline := time.Now().Add(10 * time.Second)
	for !isFUSE(m.mnt) {
		if d.exited() || time.Now().After(deadline) {
			t.Fatalf("sshfs did not mount %s: %s", m.mnt, d.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("sshfs %d: %s:%s mounted on %s", d.cmd.Process.Pid, sshfsHost, m.srv, m.mnt)
}

// unmount unmounts (lazily if it must) and waits for sshfs to exit,
// killing it if it does not.
func (m *sshfsMount) unmount(t *testing.T) {
	if isFUSE(m.mnt) {
		if err := fuseUnmount(m.mnt); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	if err := m.fs.stop(0); err != nil {
		t.Errorf("cleanup: sshfs: %v", err)
	}
	if t.Failed() {
		t.Logf("sshfs's log:\n%s", m.fs.log())
	}
}

// fuseUnmount unmounts a FUSE mount, lazily when it is busy.
func fuseUnmount(dir string) error {
	tool := "fusermount3"
	if _, err := exec.LookPath(tool); err != nil {
		tool = "fusermount"
	}
	err := runTool(tool, "-u", dir)
	if err != nil {
		err = runTool("umount", "-l", dir)
	}
	return err
}

func isFUSE(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == fuseMagic
}

// unmountDead unmounts the suite's mounts whose sshfs died with an
// earlier run killed before its cleanup (a test timeout): their mount
// points answer ENOTCONN. Live mounts, a concurrent run's, are left alone.
func unmountDead(t *testing.T) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE ...
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 2 || tail[0] != "fuse.sshfs" || !strings.HasPrefix(tail[1], sshfsHost+":") {
			continue
		}
		dir := unescapeMountinfo(fields[4])
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); errors.Is(err, syscall.ENOTCONN) {
			removeDeadMount(t, dir)
		}
	}
}

// removeDeadMount unmounts a dead mount of a killed run and removes that
// run's temporary directory (TMP/TestSSHFS*/NNN/mnt).
func removeDeadMount(t *testing.T, mnt string) {
	t.Helper()
	t.Logf("unmounting %s, left by a killed run", mnt)
	if err := runTool("umount", "-l", mnt); err != nil {
		t.Log(err)
		return
	}
	if root := filepath.Dir(filepath.Dir(mnt)); strings.HasPrefix(filepath.Base(root), "TestSSHFS") {
		if err := os.RemoveAll(root); err != nil {
			t.Log(err)
		}
	}
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) of a
// mountinfo path.
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// runTool runs a tool; its error carries the tool's output.
func runTool(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// daemon is a background process of the harness: its output is
// collected, and it is killed if the test binary dies.
type daemon struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its exit, once done is closed

	mu    sync.Mutex
	out   bytes.Buffer
	lines chan string // each line of output, while someone awaits one
}

// startDaemon starts a daemon with its stdout and stderr collected.
func startDaemon(name string, args ...string) (*daemon, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	d := &daemon{cmd: exec.Command(name, args...), done: make(chan struct{}), lines: make(chan string, 64)}
	d.cmd.Stdout, d.cmd.Stderr = w, w
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = d.cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	go d.collect(r)
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	return d, nil
}

// collect keeps the daemon's output, so that the daemon never blocks on
// a full pipe, and passes each line on while there is room.
func (d *daemon) collect(r io.ReadCloser) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		d.mu.Lock()
		d.out.WriteString(sc.Text() + "\n")
		d.mu.Unlock()
		select {
		case d.lines <- sc.Text():
		default:
		}
	}
}

// await waits for a line of output starting with prefix.
func (d *daemon) await(prefix string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case line := <-d.lines:
			if strings.HasPrefix(line, prefix) {
				return nil
			}
		case <-d.done:
			return fmt.Errorf("%s exited (%v): %s", d.cmd.Path, d.err, d.log())
		case <-deadline:
			return fmt.Errorf("%s: no %q after %v: %s", d.cmd.Path, prefix, timeout, d.log())
		}
	}
}

func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.TrimSpace(d.out.String())
}

// stop sends sig (none when 0) and waits 10 s for the daemon to exit,
// then kills it. After a signal any exit is a clean stop; without one,
// only an exit with status 0 is.
func (d *daemon) stop(sig syscall.Signal) error {
	signalled := sig != 0 && !d.exited()
	if signalled {
		d.cmd.Process.Signal(sig)
	}
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		return fmt.Errorf("pid %d still ran 10 s after the stop; killed", d.cmd.Process.Pid)
	}
	if signalled {
		return nil
	}
	return d.err
}
