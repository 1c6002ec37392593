package s3test

import "syscall"

// procAttr puts a weed process in its own group and kills it with the
// test process that started it, so that no server outlives a killed test.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
