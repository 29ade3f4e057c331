package shmnet

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// peerGroups returns the supplementary groups of the process at the other
// end of the connected Unix socket fd, as they were when it connected
// (SO_PEERGROUPS, Linux 4.13): x/sys has no call that returns its array.
// Where the kernel lacks it (older kernels, gVisor) they are unknown: nil,
// and Config.Perm admits by the primary group alone.
func peerGroups(fd int) ([]int, error) {
	buf := make([]uint32, 32)
	for {
		size := uint32(len(buf) * 4)
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_PEERGROUPS,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0)
		switch {
		case errno == unix.ERANGE && int(size/4) > len(buf): // size is what it needs
			buf = make([]uint32, size/4)
			continue
		case errno == unix.ENOPROTOOPT || errno == unix.EOPNOTSUPP || errno == unix.ENODATA:
			return nil, nil
		case errno != 0:
			return nil, errno
		}
		groups := make([]int, size/4)
		for i := range groups {
			groups[i] = int(buf[i])
		}
		return groups, nil
	}
}
