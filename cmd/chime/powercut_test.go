//go:build powercut

package main

// The power-cut suite (issue 6): chime runs on a real ext4 file system in
// an image on a loop device, and right after the k-th acknowledgement of a
// round of adds and compactions the file system is shut down with
// `xfs_io -x -c shutdown`. Without -f that is the ioctl
// FS_IOC_SHUTDOWN(FS_GOING_DOWN_NOLOGFLUSH): ext4 aborts its journal at
// once, without committing the running transaction or writing dirty
// pages, so everything not yet made durable by fsync is lost, as in a
// power cut (the loop device's backing file keeps what reached it, as a
// disk with no volatile cache would). Unmounting and mounting again
// replays the journal; then every acknowledged row must be readable (I1),
// a command in flight at the cut must be wholly visible or invisible
// (I2), and chime check must find the database healthy.
//
// It needs root, loop devices, mkfs.ext4 and xfs_io (xfsprogs), and runs
// only with -tags powercut (make powercut), because it formats and mounts
// file systems; without the tools it skips and says why.

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPowerCut cuts the power 200 times; no acknowledged row may be lost.
func TestPowerCut(t *testing.T) {
	requirePowerCut(t)
	start := time.Now()
	pc := newPowerCuts(t, mustBinary(t))
	for pc.cuts < 200 {
		if err := pc.round(t); err != nil {
			t.Fatalf("%v\n%s", err, pc)
		}
	}
	t.Logf("%d power cuts, %d acknowledged rows checked, 0 lost (%s; %v)",
		pc.cuts, pc.rows, pc, time.Since(start).Round(time.Millisecond))
}

// TestPowerCut_BrokenDirSync proves that the harness can fail: chime built
// with -tags chimebroken_nodirsync acknowledges a commit before the
// directory entry that publishes it is durable, and the harness must catch
// a lost acknowledged row within a bounded number of cuts.
func TestPowerCut_BrokenDirSync(t *testing.T) {
	requirePowerCut(t)
	const maxCuts = 50
	bin, err := buildChime("chimebroken_nodirsync")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(filepath.Dir(bin))
	pc := newPowerCuts(t, bin)
	for pc.cuts < maxCuts {
		if err := pc.round(t); err != nil {
			t.Logf("the build without directory fsync lost acknowledged rows at power cut %d of at most %d, as it must: %v",
				pc.cuts, maxCuts, err)
			return
		}
	}
	t.Fatalf("%d power cuts of a build without directory fsync lost no acknowledged row: the harness cannot fail (%s)", pc.cuts, pc)
}

// requirePowerCut skips the test, saying why, where it cannot run.
func requirePowerCut(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("power-cut test: not with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("power-cut test: needs root to attach a loop device, mount ext4 and shut it down")
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skipf("power-cut test: no loop devices: %v", err)
	}
	for _, tool := range []string{"mkfs.ext4", "losetup", "mount", "umount", "sync", "xfs_io"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("power-cut test: %s not found (apt-get install e2fsprogs mount xfsprogs)", tool)
		}
	}
	if fs, err := os.ReadFile("/proc/filesystems"); err != nil || !bytes.Contains(fs, []byte("\text4\n")) {
		t.Skip("power-cut test: the kernel has no ext4 (/proc/filesystems)")
	}
}

// ext4Disk is an ext4 file system in an image file on a loop device,
// mounted in a temporary directory. The test's cleanup unmounts and
// detaches it, even after a failure.
type ext4Disk struct {
	dev, mnt string
	mounted  bool
}

// newExt4Disk formats a 256 MiB image (room above chime's default
// free-space floor of 64 MiB), attaches it and mounts it. A machine
// that refuses the loop device or the mount skips the test.
func newExt4Disk(t *testing.T) *ext4Disk {
	t.Helper()
	dir := t.TempDir()
	img := filepath.Join(dir, "ext4.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 256<<20); err != nil {
		t.Fatal(err)
	}
	if err := run("mkfs.ext4", "-q", "-F", img); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).Output()
	if err != nil {
		t.Skipf("power-cut test: cannot attach a loop device: %v", err)
	}
	d := &ext4Disk{dev: strings.TrimSpace(string(out)), mnt: filepath.Join(dir, "mnt")}
	t.Cleanup(func() { d.detach(t) })
	if err := os.Mkdir(d.mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := d.mount(); err != nil {
		t.Skipf("power-cut test: cannot mount ext4: %v", err)
	}
	t.Logf("ext4 on %s (%s) mounted on %s", d.dev, img, d.mnt)
	return d
}

func (d *ext4Disk) mount() error {
	if err := run("mount", "-t", "ext4", d.dev, d.mnt); err != nil {
		return err
	}
	d.mounted = true
	return nil
}

func (d *ext4Disk) unmount() error {
	if err := run("umount", d.mnt); err != nil {
		return err
	}
	d.mounted = false
	return nil
}

// cut shuts the file system down without flushing its journal: a power
// cut for everything not yet durable.
func (d *ext4Disk) cut() error { return run("xfs_io", "-x", "-c", "shutdown", d.mnt) }

// detach unmounts (lazily if it must) and detaches the loop device.
func (d *ext4Disk) detach(t *testing.T) {
	if d.mounted {
		if err := d.unmount(); err != nil {
			t.Logf("cleanup: %v; unmounting lazily", err)
			if err := run("umount", "-l", d.mnt); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	}
	if err := run("losetup", "-d", d.dev); err != nil {
		t.Errorf("cleanup: %v", err)
	}
}

// run runs a tool; its error carries the tool's output.
func run(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// powerCuts runs rounds of chime commands on an ext4Disk and cuts the
// power after the k-th acknowledgement of each.
type powerCuts struct {
	bin   string // the chime under test; checks read with chimeBinary
	disk  *ext4Disk
	db    string
	r     *rand.Rand
	m     *addModel
	check bool // chime check exists
	clock map[string]*killClock

	cuts      int
	rows      int            // acknowledged rows checked, summed over cuts
	ackedRows int            // rows of acknowledged adds
	acks      map[string]int // acknowledged commands by kind
	inFlight  map[string]int // commands in flight at a cut, by kind and fate
}

// cutsPerDB is how many cuts one database takes before a fresh one, to
// keep reads short.
const cutsPerDB = 40

func newPowerCuts(t *testing.T, bin string) *powerCuts {
	t.Helper()
	disk := newExt4Disk(t)
	_, err := runChime("", "check", "--help")
	pc := &powerCuts{
		bin: bin, disk: disk, db: filepath.Join(disk.mnt, "db"),
		r: rand.New(rand.NewPCG(11, 12)), check: err == nil,
		clock: map[string]*killClock{"add": {}, "compact": {}},
		acks:  map[string]int{}, inFlight: map[string]int{},
	}
	if !pc.check {
		t.Log("chime check does not exist yet: the power-cut rounds only read")
	}
	return pc
}

// String summarises what the cuts exercised.
func (pc *powerCuts) String() string {
	s := fmt.Sprintf("acknowledged: %d adds of %d rows in all", pc.acks["add"], pc.ackedRows)
	for _, k := range slices.Sorted(maps.Keys(pc.acks)) {
		if k != "add" {
			s += fmt.Sprintf(", %d %s", pc.acks[k], k)
		}
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(pc.inFlight)) {
		parts = append(parts, fmt.Sprintf("%d %s", pc.inFlight[k], k))
	}
	if len(parts) > 0 {
		s += "; in flight at a cut: " + strings.Join(parts, ", ")
	}
	return s
}

// round runs 1 to 6 acknowledged commands, cuts the power right after the
// last acknowledgement (now and then with one more command in flight),
// remounts and checks. Its error says what the cut broke.
func (pc *powerCuts) round(t *testing.T) error {
	t.Helper()
	if pc.cuts%cutsPerDB == 0 {
		pc.freshDB(t)
	}
	for k := 1 + pc.r.IntN(6); k > 0; k-- {
		pc.command(t)
	}
	var flight *exec.Cmd
	var added, kind string
	defer func() { // on a failure, so that the file system can be unmounted
		if flight != nil && flight.ProcessState == nil {
			flight.Process.Kill()
			flight.Wait()
		}
	}()
	switch n := pc.r.IntN(6); {
	case n < 2:
		kind = "add"
		var input string
		added, input, _ = pc.m.begin(pc.r.IntN(2))
		flight = pc.start(t, input, "add", "-f", "u")
	case n < 3:
		kind = "compact"
		flight = pc.start(t, "", pc.compactArgs()...)
	}
	if flight != nil {
		// Let it get somewhere: up to one measured run of its kind.
		sleep(time.Duration(pc.r.Int64N(int64(pc.clock[kind].pick(pc.r)))))
	}
	if err := pc.disk.cut(); err != nil {
		t.Fatal(err)
	}
	pc.cuts++
	if flight != nil {
		fate := "failed"
		if flight.Wait() == nil {
			fate = "acknowledged"
			if kind == "add" {
				pc.acked(added)
			}
		}
		pc.inFlight[kind+", "+fate]++
	}
	if err := pc.disk.unmount(); err != nil {
		t.Fatal(err)
	}
	if err := pc.disk.mount(); err != nil {
		t.Fatal(err)
	}
	return pc.verify(t)
}

// freshDB replaces the database by an empty one, durably whatever the
// build under test does.
func (pc *powerCuts) freshDB(t *testing.T) {
	t.Helper()
	if err := os.RemoveAll(pc.db); err != nil {
		t.Fatal(err)
	}
	chime(t, "", "init", pc.db)
	if err := run("sync", "-f", pc.db); err != nil {
		t.Fatal(err)
	}
	pc.m = newAddModel(pc.db)
}

// command runs one command to its acknowledgement: mostly adds, now and
// then a compaction.
func (pc *powerCuts) command(t *testing.T) {
	t.Helper()
	args, input, round := pc.compactArgs(), "", ""
	if pc.r.IntN(8) > 0 {
		args = []string{"add", "-f", "u"}
		round, input, _ = pc.m.begin(pc.r.IntN(2))
	}
	kind := args[0]
	start := time.Now()
	if _, err := runBinary(pc.bin, input, append([]string{"-d", pc.db}, args...)...); err != nil {
		t.Fatalf("before cut %d: chime %s: %v", pc.cuts+1, strings.Join(args, " "), err)
	}
	pc.clock[kind].measured(time.Since(start))
	if round != "" {
		pc.acked(round)
	}
	if kind == "add" {
		pc.acks["add"]++
	} else {
		pc.acks[strings.Join(args, " ")]++
	}
}

// acked records an acknowledged add.
func (pc *powerCuts) acked(round string) {
	pc.m.set(round, roundAcked)
	pc.ackedRows += countLines(pc.m.want[round])
}

func (pc *powerCuts) compactArgs() []string {
	if pc.r.IntN(2) == 0 {
		return []string{"compact", "--major"}
	}
	return []string{"compact"}
}

// start starts a command of the chime under test that the cut will
// interrupt.
func (pc *powerCuts) start(t *testing.T, input string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(pc.bin, append([]string{"-d", pc.db}, args...)...)
	cmd.Stdin = strings.NewReader(input)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if len(pc.clock[args[0]].runs) == 0 {
		pc.clock[args[0]].measured(time.Millisecond)
	}
	return cmd
}

// verify checks the remounted database: it opens, reads every
// acknowledged round whole and every round in flight whole or not at all,
// and passes chime check.
func (pc *powerCuts) verify(t *testing.T) error {
	t.Helper()
	out, err := runChime("", "-d", pc.db, "read", "%", "--timestamp-nanos")
	if err != nil {
		return fmt.Errorf("power cut %d: the database does not open: %v", pc.cuts, err)
	}
	rows, err := pc.m.afterCut(out)
	if err != nil {
		return fmt.Errorf("power cut %d: %v; the directory holds %s", pc.cuts, err, pc.listing(t))
	}
	if pc.check {
		if _, err := runChime("", "-d", pc.db, "check"); err != nil {
			return fmt.Errorf("power cut %d: chime check: %v", pc.cuts, err)
		}
	}
	pc.rows += rows
	return nil
}

func (pc *powerCuts) listing(t *testing.T) string {
	entries, err := os.ReadDir(pc.db)
	if err != nil {
		return err.Error()
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// afterCut checks a full read after a power cut against the model and
// settles the rounds that were in flight. It returns the number of
// acknowledged rows it checked.
func (m *addModel) afterCut(out string) (int, error) {
	got, err := splitRounds(out)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rows := 0
	for round, s := range m.state {
		switch g, want := got[round], m.want[round]; {
		case (s == roundAcked || s == roundVisible) && g != want:
			return 0, fmt.Errorf("I1: acknowledged add %s reads %d of its %d rows", round, countLines(g), countLines(want))
		case s == roundAcked:
			rows += countLines(want)
		case s == roundRunning && g == want:
			m.state[round] = roundVisible
		case s == roundRunning && g == "":
			m.state[round] = roundInvisible
		case s == roundRunning || s == roundInvisible && g != "":
			return 0, fmt.Errorf("I2: add %s, interrupted by the cut, reads %d of its %d rows", round, countLines(g), countLines(want))
		}
	}
	for round := range got {
		if _, ok := m.state[round]; !ok {
			return 0, errors.New("rows of no add appeared: " + round)
		}
	}
	return rows, nil
}
