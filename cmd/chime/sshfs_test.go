//go:build sshfs

package main

// The sshfs suite (issue 9, "Stale listings"): chime over a real sshfs
// mount of localhost, served by a private sshd (sshfs_mount_test.go).
//
//   - ReadsLikeLocal: reads over the mount print what local reads print,
//     and go through pread, not mmap (tsdb falls back to plain reads on
//     FUSE): a reader held mid-output has every database file open and
//     none mapped, where the same read of the local directory maps them.
//   - StaleListing: sshfs caches a directory's listing for 20 s. After a
//     compaction on the server side (minor, then major, each on its own
//     database), a read over the mount must print the right rows at once
//     and until the listing is fresh again, as sonnerie's does.
//   - WritersThroughMount: add, delete and both compactions through the
//     mount leave on the server exactly the rows a model predicts.
//
// It needs root, /dev/fuse, openssh-server and sshfs, and runs only with
// -tags sshfs (make sshfs, part of make test); without them it skips and
// says why, except in CI (CI set), where it fails.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// staleWindow bounds how long StaleListing waits for the mount's listing
// to be fresh again (sshfs's default dcache_timeout is 20 s).
const staleWindow = 40 * time.Second

// TestSSHFS mounts once and runs the suite's cases on databases of their
// own under the mount.
func TestSSHFS(t *testing.T) {
	start := time.Now()
	m := newSSHFSMount(t)
	t.Run("ReadsLikeLocal", func(t *testing.T) { testReadsLikeLocal(t, m) })
	t.Run("StaleListing", func(t *testing.T) {
		// In parallel: once fixed, each may read through a 20 s window.
		for _, c := range []struct {
			name  string
			major bool
		}{{"minor", false}, {"major", true}} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				testStaleListing(t, m, c.name, c.major)
			})
		}
	})
	t.Run("WritersThroughMount", func(t *testing.T) { testWritersThroughMount(t, m) })
	t.Logf("sshfs suite: %v", time.Since(start).Round(time.Millisecond))
}

// initDB creates the database name on the server side and returns its
// path there and over the mount.
func (m *sshfsMount) initDB(t *testing.T, name string) (srv, mnt string) {
	t.Helper()
	srv, mnt = filepath.Join(m.srv, name), filepath.Join(m.mnt, name)
	chime(t, "", "init", srv)
	return srv, mnt
}

// testReadsLikeLocal reads a database of main, data transactions and a
// delete marker locally and over the mount.
func testReadsLikeLocal(t *testing.T, m *sshfsMount) {
	srv, mnt := m.initDB(t, "reads")
	// Some 7 MB of output, far more than a pipe holds: a reader whose
	// output is not read stays in its scan with its files open.
	chime(t, grid("host.", 0, 1000, 0, 200, 1), "-d", srv, "add", "--format", "u")
	chime(t, "", "-d", srv, "compact", "--major")
	chime(t, grid("host.", 100, 200, 50, 60, 2), "-d", srv, "add", "--format", "u")
	chime(t, "", "-d", srv, "delete", "host.0150%")
	chime(t, grid("host.", 900, 1000, 150, 250, 3), "-d", srv, "add", "--format", "u")
	files := published(t, srv)
	if len(files) != 4 {
		t.Fatalf("want main and 3 transaction files, have %v", files)
	}

	local, mapped, open := probeRead(t, srv, files)
	if !slices.Equal(mapped, files) {
		t.Fatalf("a local read maps %v (and holds open %v), want all of %v: the probe cannot tell mmap from pread", mapped, open, files)
	}
	t.Logf("a local read maps %v", mapped)
	remote, mapped, open := probeRead(t, mnt, files)
	if len(mapped) > 0 {
		t.Fatalf("a read over sshfs maps %v: the FUSE fallback to pread was not taken", mapped)
	}
	if !slices.Equal(open, files) {
		t.Fatalf("a read over sshfs holds open %v, want all of %v", open, files)
	}
	t.Logf("a read over sshfs maps none and holds %v open", open)
	sameOutput(t, "read %", local, remote)

	for _, args := range [][]string{
		{"read", "host.01%", "--after-time", "2020-09-13T12:27:35Z", "--before-time", "2020-09-13T12:29:40Z", "--timestamp-nanos"},
		{"read", "host.0999", "host.0150%", "--print-format"},
		{"read", "--after-key", "host.0900", "--before-key", "host.0905", "-o", "json"},
		{"read", "host.099%", "-o", "csv"},
		{"keys", "host.09%"},
	} {
		l := chime(t, "", append([]string{"-d", srv}, args...)...)
		r := chime(t, "", append([]string{"-d", mnt}, args...)...)
		sameOutput(t, strings.Join(args, " "), l, r)
	}
}

// gridEpoch is the first second of grid: 2020-09-13T12:26:40Z.
const gridEpoch = 1_600_000_000

// grid is the sorted input of add with the keys prefix+%04d for k in
// [k0, k1), timestamps the seconds gridEpoch+s for s in [s0, s1), in
// nanoseconds, and values v*1000+s.
func grid(prefix string, k0, k1, s0, s1, v int) string {
	var b strings.Builder
	for k := k0; k < k1; k++ {
		for s := s0; s < s1; s++ {
			fmt.Fprintf(&b, "%s%04d %d %d\n", prefix, k, int64(gridEpoch+s)*1e9, v*1000+s)
		}
	}
	return b.String()
}

// probeRead runs chime -d db read % and, once it has printed its first
// byte (its snapshot is open) and while it waits for its output to be
// read, lists the files of db (of those given) it maps (/proc/PID/maps)
// and holds open (/proc/PID/fd). It returns the whole output.
func probeRead(t *testing.T, db string, files []string) (out string, mapped, open []string) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(db)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(mustBinary(t), "-d", db, "read", "%")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(r)
	if _, err := br.Peek(1); err == nil {
		mapped, open = filesInUse(t, cmd.Process.Pid, dir, files)
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("chime -d %s read %%: %v: %s", db, err, strings.TrimSpace(stderr.String()))
	}
	if used := union(mapped, open); !slices.Equal(used, files) {
		t.Fatalf("chime -d %s read %% used %v while printing, want all of %v: did it finish before the probe?", db, used, files)
	}
	return string(rest), mapped, open
}

// filesInUse lists the files of dir named in files that process pid maps
// and that it holds open.
func filesInUse(t *testing.T, pid int, dir string, files []string) (mapped, open []string) {
	t.Helper()
	in := func(path string) (string, bool) {
		name, ok := strings.CutPrefix(path, dir+"/")
		return name, ok && slices.Contains(files, name)
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(maps)) {
		// ADDRESS PERMS OFFSET DEV INODE PATH
		if f := strings.SplitN(strings.TrimSpace(line), " ", 6); len(f) == 6 {
			if name, ok := in(strings.TrimSpace(f[5])); ok {
				mapped = append(mapped, name)
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if name, ok := in(target); err == nil && ok {
			open = append(open, name)
		}
	}
	return union(mapped), union(open)
}

// union returns the sorted distinct names of the lists.
func union(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// sameOutput fails unless a read over the mount printed what the local
// read printed, and that is not nothing.
func sameOutput(t *testing.T, what, local, remote string) {
	t.Helper()
	if local == "" {
		t.Fatalf("%s: the local read printed nothing", what)
	}
	if remote != local {
		t.Fatalf("%s: over sshfs %d bytes, locally %d; first difference: %s", what, len(remote), len(local), firstDiff(local, remote))
	}
}

// firstDiff shows the first line where got differs from want.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		w, g := "(end)", "(end)"
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, w, g)
		}
	}
	return "none"
}

// testStaleListing compacts on the server right after a read over the
// mount has cached the database's listing, and reads over the mount.
func testStaleListing(t *testing.T, m *sshfsMount, name string, major bool) {
	srv, mnt := m.initDB(t, "stale-"+name)
	for i := range 5 {
		chime(t, grid("k.", i, i+3, i, i+10, i), "-d", srv, "add", "--format", "u")
		if i == 2 {
			chime(t, "", "-d", srv, "delete", "k.0003")
		}
	}
	want := chime(t, "", "-d", srv, "read", "%", "--timestamp-nanos")
	sameOutput(t, "read % before the compaction", want, chime(t, "", "-d", mnt, "read", "%", "--timestamp-nanos"))
	before := published(t, srv)

	args := []string{"-d", srv, "compact"}
	if major {
		args = append(args, "--major")
	}
	chime(t, "", args...)
	compacted := time.Now()
	after := published(t, srv)
	if got := chime(t, "", "-d", srv, "read", "%", "--timestamp-nanos"); got != want {
		t.Fatalf("the compaction changed the rows: %s", firstDiff(want, got))
	}
	vanished := slices.DeleteFunc(slices.Clone(before), func(n string) bool { return slices.Contains(after, n) })
	if !staleListing(t, mnt, vanished) {
		t.Fatalf("right after the compaction the mount no longer lists any of %v: sshfs caches no listing, and this test proves nothing", vanished)
	}
	t.Logf("compaction %v -> %v; the mount still lists %v", before, after, vanished)

	reads, fresh, slowest := 0, time.Time{}, time.Duration(0)
	for fresh.IsZero() || time.Since(fresh) < time.Second {
		if time.Since(compacted) > staleWindow {
			t.Fatalf("the mount still lists %v %v after the compaction", vanished, staleWindow)
		}
		listed := staleListing(t, mnt, vanished)
		began := time.Now()
		got, err := runChime("", "-d", mnt, "read", "%", "--timestamp-nanos")
		reads++
		slowest = max(slowest, time.Since(began))
		at := time.Since(compacted).Round(time.Millisecond)
		if err != nil {
			t.Fatalf("read %d, %v after the compaction (listing stale: %v): %v", reads, at, listed, err)
		}
		if got != want {
			t.Fatalf("read %d, %v after the compaction (listing stale: %v): wrong rows: %d bytes, want %d; %s", reads, at, listed, len(got), len(want), firstDiff(want, got))
		}
		if !listed && fresh.IsZero() {
			fresh = time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d reads over sshfs from the compaction until 1 s after the listing was fresh again (%v): all right, the slowest in %v",
		reads, fresh.Sub(compacted).Round(time.Millisecond), slowest.Round(time.Millisecond))
}

// staleListing reports whether the mount still lists one of the vanished
// names.
func staleListing(t *testing.T, mnt string, vanished []string) bool {
	t.Helper()
	entries, err := os.ReadDir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if slices.Contains(vanished, e.Name()) {
			return true
		}
	}
	return false
}

// testWritersThroughMount adds, deletes and compacts through the mount
// and checks the server's files against a model of the rows.
func testWritersThroughMount(t *testing.T, m *sshfsMount) {
	mnt, srv := filepath.Join(m.mnt, "writers"), filepath.Join(m.srv, "writers")
	chime(t, "", "init", mnt)
	model := rowModel{}
	add := func(k0, k1, s0, s1, v int) {
		in := grid("w.", k0, k1, s0, s1, v)
		chime(t, in, "-d", mnt, "add", "--format", "u")
		model.add(in)
	}
	add(0, 50, 0, 20, 1)
	add(10, 20, 5, 15, 2) // overwrites: the last writer wins
	chime(t, "", "-d", mnt, "compact")
	chime(t, "", "-d", mnt, "delete", "w.002%")
	model.deletePrefix("w.002")
	add(25, 35, 18, 25, 3) // w.0025..9 again: rows added after a delete show
	chime(t, "", "-d", mnt, "compact", "--major")
	add(40, 60, 0, 3, 4)
	chime(t, "", "-d", mnt, "compact")

	want := model.String()
	sameOutput(t, "local read % after writes through sshfs", want, chime(t, "", "-d", srv, "read", "%", "--timestamp-nanos"))
	sameOutput(t, "read % over sshfs after writes through it", want, chime(t, "", "-d", mnt, "read", "%", "--timestamp-nanos"))
	chime(t, "", "-d", srv, "check")
	checkClean(t, srv)
	t.Logf("%d rows written through sshfs, read back locally; the server holds %v", model.rows(), published(t, srv))
}

// rowModel is what a database of u rows must read as: value by key and
// nanosecond timestamp.
type rowModel map[string]map[string]string

// add applies the rows of an add input, the last writer winning.
func (m rowModel) add(in string) {
	for line := range strings.Lines(in) {
		f := strings.Fields(line)
		if m[f[0]] == nil {
			m[f[0]] = map[string]string{}
		}
		m[f[0]][f[1]] = f[2]
	}
}

func (m rowModel) deletePrefix(prefix string) {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			delete(m, k)
		}
	}
}

func (m rowModel) rows() int {
	n := 0
	for _, ts := range m {
		n += len(ts)
	}
	return n
}

// String is the model as chime read % --timestamp-nanos prints it (grid's
// timestamps all have 19 digits, so they sort as strings).
func (m rowModel) String() string {
	var b strings.Builder
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ts := make([]string, 0, len(m[k]))
		for s := range m[k] {
			ts = append(ts, s)
		}
		slices.Sort(ts)
		for _, s := range ts {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", k, s, m[k][s])
		}
	}
	return b.String()
}
