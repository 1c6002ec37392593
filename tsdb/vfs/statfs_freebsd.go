package vfs

import "golang.org/x/sys/unix"

func fsTypeName(st *unix.Statfs_t) []byte {
	b := make([]byte, len(st.Fstypename))
	for i, c := range st.Fstypename {
		b[i] = byte(c)
	}
	return b
}
