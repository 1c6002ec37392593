//go:build !linux

package main

import "time"

// sleep waits for d; only Linux has the precise nanosleep(2) the kill
// tests time their signals with.
func sleep(d time.Duration) { time.Sleep(d) }

// lowerPriority does nothing where the kill suite does not run.
func lowerPriority(pid int) {}
