package main

import (
	"syscall"
	"time"
)

// sleep waits for d with nanosleep(2), to some 50 µs where time.Sleep may
// take a millisecond more: the kill tests time their signals with it.
func sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}

// lowerPriority makes the process pid yield the cores to others (nice 19).
func lowerPriority(pid int) { syscall.Setpriority(syscall.PRIO_PROCESS, pid, 19) }
