//go:build linux

package shmnet

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// The system calls shmnet makes, all at setup or when a side parks:
// memfds, mappings, descriptor passing, peer credentials and wake-ups.

// newMemfd returns an anonymous file of size bytes (sealed against
// shrinking, so that a peer cannot truncate it under our mapping).
func newMemfd(name string, size int) (*os.File, error) {
	fd, err := unix.MemfdCreate("shmnet:"+name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	f := os.NewFile(uintptr(fd), "shmnet:"+name)
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, os.NewSyscallError("fcntl", err)
	}
	return f, nil
}

// mapFile maps all of f shared. A peer's file must be a sealed memfd of
// a sane size: one that could shrink could fault our reads (SIGBUS).
func mapFile(f *os.File, peer bool) ([]byte, error) {
	fd := int(f.Fd())
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, os.NewSyscallError("fstat", err)
	}
	if st.Size < headerSize || st.Size > int64(segmentSize(MaxCapacity)) {
		return nil, fmt.Errorf("%w: shared memory of %d bytes", ErrCorrupt, st.Size)
	}
	if peer {
		seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
		if err != nil || seals&unix.F_SEAL_SHRINK == 0 {
			return nil, fmt.Errorf("%w: the peer's memory is not a memfd sealed against shrinking", ErrCorrupt)
		}
	}
	mem, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	return mem, nil
}

func unmap(mem []byte) error { return unix.Munmap(mem) }

// wakeBytes backs the one-byte slices sendWake sends, so that a
// wake-up allocates nothing.
var wakeBytes = [256]byte{wakeReader: wakeReader, wakeWriter: wakeWriter}

// sendWake sends the byte kind on the connected socket fd without
// blocking, whatever the peer does: MSG_DONTWAIT holds for this call
// alone, whatever flags the socket's file has, and our end's file is
// not the peer's. A full socket (EAGAIN) or a dead peer (EPIPE) drops
// the byte: the peer has wake-ups to read, or is gone. The dropped one
// may be of the other kind than those waiting, so a watcher that finds
// a backlog (a read of watchRead bytes) wakes both of its calls
// (Conn.watch).
func sendWake(fd int, kind byte) {
	_ = unix.Sendto(fd, wakeBytes[kind:kind+1], unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
}

// socketFd returns uc's descriptor, for sendWake: uc keeps it open
// until it is closed, which a Conn does only once no call is inside.
func socketFd(uc *net.UnixConn) (int, error) {
	rc, err := uc.SyscallConn()
	if err != nil {
		return 0, err
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return 0, err
	}
	return fd, nil
}

// checkInherited checks that the two descriptors from first are what
// Attach passes (a Unix socket, then a memfd) before anything wraps
// them, and so may close them: a stale or copied SHMNET_PIPE must not
// make Inherited close descriptors another part of the program holds.
func checkInherited(first int) error {
	for i := range 2 {
		fd := first + i
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return fmt.Errorf("descriptor %d: %w", fd, os.NewSyscallError("fstat", err))
		}
		ok, want := st.Mode&unix.S_IFMT == unix.S_IFSOCK, "a Unix socket"
		if i == 1 {
			target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
			ok, want = st.Mode&unix.S_IFMT == unix.S_IFREG && err == nil && strings.HasPrefix(target, "/memfd:"), "a memfd"
		}
		if ok && i == 1 {
			ok, want = connMemory(fd), "a shmnet connection's memfd"
		}
		if !ok {
			return fmt.Errorf("descriptor %d is not %s", fd, want)
		}
	}
	return nil
}

// connMemory reports whether the memfd fd looks like a connection's, as
// Pipe makes one: sealed against shrinking, with the layout's magic. It
// reads without mapping, so that a descriptor that is another's is left
// as it was. What it lets through is validated in full afterwards.
func connMemory(fd int) bool {
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil || seals&unix.F_SEAL_SHRINK == 0 {
		return false
	}
	var b [8]byte
	n, err := unix.Pread(fd, b[:], offMagic)
	return err == nil && n == len(b) && binary.LittleEndian.Uint64(b[:]) == magic
}

// sendFiles sends msg with files' descriptors over uc.
func sendFiles(uc *net.UnixConn, msg []byte, files []*os.File) error {
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	_, _, err := uc.WriteMsgUnix(msg, unix.UnixRights(fds...), nil)
	return err
}

// recvFiles reads a message of up to len(buf) bytes and up to max
// descriptors from uc.
func recvFiles(uc *net.UnixConn, buf []byte, max int) (int, []*os.File, error) {
	oob := make([]byte, unix.CmsgSpace(max*4))
	n, oobn, flags, _, err := uc.ReadMsgUnix(buf, oob)
	if err != nil {
		return 0, nil, err
	}
	var files []*os.File
	msgs, perr := unix.ParseSocketControlMessage(oob[:oobn])
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), "shmnet-peer"))
		}
	}
	if perr != nil || flags&unix.MSG_CTRUNC != 0 {
		closeAll(files)
		return 0, nil, fmt.Errorf("%w: descriptors truncated", ErrCorrupt)
	}
	return n, files, nil
}

// peerCred returns the credentials of uc's other end, from the kernel.
func peerCred(uc *net.UnixConn) (Cred, error) {
	rc, err := uc.SyscallConn()
	if err != nil {
		return Cred{}, err
	}
	var ucred *unix.Ucred
	var groups []int
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		if ucred, gerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); gerr == nil {
			groups, gerr = peerGroups(int(fd))
		}
	}); err != nil {
		return Cred{}, err
	}
	if gerr != nil {
		return Cred{}, os.NewSyscallError("getsockopt", gerr)
	}
	return Cred{PID: int(ucred.Pid), UID: int(ucred.Uid), GID: int(ucred.Gid), Groups: groups}, nil
}

// socketPair returns two connected Unix stream sockets, for Pipe.
func socketPair() (*net.UnixConn, *net.UnixConn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	a, err := fileUnixConn(os.NewFile(uintptr(fds[0]), "shmnet-pipe"))
	if err != nil {
		unix.Close(fds[1])
		return nil, nil, err
	}
	b, err := fileUnixConn(os.NewFile(uintptr(fds[1]), "shmnet-pipe"))
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

// fileUnixConn makes a *net.UnixConn of f (a dup) and closes f.
func fileUnixConn(f *os.File) (*net.UnixConn, error) {
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("shmnet: descriptor %d is not a Unix socket", f.Fd())
	}
	return uc, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}

// dupFile returns a second descriptor of f's open file, close-on-exec.
func dupFile(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// mapReadOnly maps all of f read-only, for inspection.
func mapReadOnly(f *os.File) ([]byte, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, os.NewSyscallError("fstat", err)
	}
	if st.Size < headerSize || st.Size > int64(segmentSize(MaxCapacity)) {
		return nil, fmt.Errorf("%w: shared memory of %d bytes", ErrCorrupt, st.Size)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(st.Size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	return mem, nil
}
