//go:build !linux

package s3test

import "syscall"

// procAttr: only Linux can tie a child's life to its parent's; the tests
// stop their servers themselves.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
