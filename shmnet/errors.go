//go:build linux

package shmnet

import (
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
)

var (
	// ErrCorrupt is a connection whose shared memory holds what its peer
	// could not have written honestly: a position out of range, a bad
	// header. It ends that connection only.
	ErrCorrupt = errors.New("shmnet: shared memory corrupt")
	// ErrVersion is a peer speaking another layout version.
	ErrVersion = errors.New("shmnet: unsupported layout version")
	// ErrPeerDead is what Read (once the data is drained) and Write
	// return when the peer's process exited without closing the
	// connection: killed, or crashed. It matches syscall.ECONNRESET and
	// io.ErrUnexpectedEOF with errors.Is.
	ErrPeerDead error = resetError{}
	// ErrNoPipe is Inherited's error in a process that was not started
	// with a connection (Conn.Attach): PipeEnv is not set. A PipeEnv that
	// names no attached connection gives an error that matches it.
	ErrNoPipe = errors.New("shmnet: no connection inherited (SHMNET_PIPE is not set)")
)

// noPipeError is Inherited's error for a PipeEnv that is set but names
// no attached connection.
type noPipeError struct{ value, why string }

func (e noPipeError) Error() string {
	return "shmnet: no connection inherited: " + pipeEnv + "=" + strconv.Quote(e.value) + ": " + e.why
}

func (noPipeError) Is(target error) bool { return target == ErrNoPipe }

type resetError struct{}

func (resetError) Error() string { return "connection reset: the peer's process exited" }

func (resetError) Is(target error) bool {
	return target == syscall.ECONNRESET || target == io.ErrUnexpectedEOF
}

// Addr is the address of a shmnet listener or connection: its name.
type Addr struct{ Name string }

// Network returns "shm".
func (Addr) Network() string { return "shm" }

func (a Addr) String() string { return a.Name }

var _ net.Addr = Addr{}

// Cred is a peer process's identity, from the kernel (SO_PEERCRED and
// SO_PEERGROUPS on the connection's Unix socket) at the time it
// connected.
type Cred struct {
	PID, UID, GID int
	Groups        []int // supplementary groups; nil where the kernel cannot tell (before Linux 4.13)
}
