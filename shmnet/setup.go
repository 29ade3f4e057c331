//go:build linux

package shmnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// Connection setup, over the listener's Unix socket: the listener makes
// the connection's memory (a sealed memfd) and sends it with a hello;
// the dialer validates it, maps the memory and answers with one byte.
// The socket then stays open for the connection's lifetime: it carries
// the wake-ups, and its closing end tells of the peer's death.

// helloMagic starts every hello: "SHMN", the layout version, a status.
var helloMagic = [4]byte{'S', 'H', 'M', 'N'}

const (
	statusOK      = 0
	statusRefused = 1
	ackOK         = 1
	// setupTimeout bounds each step of a handshake, so that a peer that
	// stops answering costs a listener a goroutine for this long, at most.
	setupTimeout = 5 * time.Second
)

// resources are a new connection's memory.
type resources struct {
	memfd *os.File
	mem   []byte
}

func (r *resources) close() {
	if r.mem != nil {
		unmap(r.mem)
	}
	if r.memfd != nil {
		r.memfd.Close()
	}
}

// files is what a hello carries: the memory alone. No descriptor a side
// waits on is shared, so that a peer cannot make it block.
func (r *resources) files() []*os.File { return []*os.File{r.memfd} }

// newResources makes a connection's memory, of capacity bytes each way.
func newResources(name string, capacity int) (*resources, error) {
	r := &resources{}
	var err error
	if r.memfd, err = newMemfd(name, segmentSize(capacity)); err != nil {
		return nil, err
	}
	if r.mem, err = mapFile(r.memfd, false); err != nil {
		r.close()
		return nil, err
	}
	initHeader(r.mem, capacity)
	return r, nil
}

// takeResources validates what a peer sent (a sealed memfd) and maps
// it. It closes files on failure.
func takeResources(files []*os.File) (*resources, int, error) {
	if len(files) != 1 {
		closeAll(files)
		return nil, 0, fmt.Errorf("%w: %d descriptors in the hello, want 1", ErrCorrupt, len(files))
	}
	r := &resources{memfd: files[0]}
	var err error
	if r.mem, err = mapFile(r.memfd, true); err != nil {
		r.close()
		return nil, 0, err
	}
	capacity, err := checkHeader(r.mem)
	if err != nil {
		r.close()
		return nil, 0, err
	}
	return r, capacity, nil
}

// sendHello sends status (and, if OK, the resources) to a dialer.
func sendHello(uc *net.UnixConn, status byte, text string, r *resources) error {
	msg := append(helloMagic[:], version, status)
	msg = append(msg, text...)
	uc.SetWriteDeadline(time.Now().Add(setupTimeout))
	var files []*os.File
	if r != nil {
		files = r.files()
	}
	return sendFiles(uc, msg, files)
}

// readHello reads a listener's hello: its resources, or its refusal.
func readHello(uc *net.UnixConn) (*resources, int, error) {
	buf := make([]byte, 512)
	// Room for more descriptors than we take: version 1's five give
	// ErrVersion below, not a truncation.
	n, files, err := recvFiles(uc, buf, 5)
	if errors.Is(err, syscall.ECONNRESET) || err == nil && n == 0 {
		closeAll(files)
		return nil, 0, errListenerGone
	}
	if err != nil {
		return nil, 0, err
	}
	if n < 6 || [4]byte(buf[:4]) != helloMagic {
		closeAll(files)
		return nil, 0, fmt.Errorf("%w: not a shmnet listener", ErrCorrupt)
	}
	if buf[4] != version {
		closeAll(files)
		return nil, 0, fmt.Errorf("%w: listener speaks version %d, we %d", ErrVersion, buf[4], version)
	}
	if buf[5] != statusOK {
		closeAll(files)
		return nil, 0, &refusedError{"by the listener: " + string(buf[6:n])}
	}
	return takeResources(files)
}

// errListenerGone is a dial whose listener closed its end before its
// hello: it died, or closed, with the dial in its backlog. The connection
// was never accepted, so it matches ECONNREFUSED, as a dial that comes
// after the listener's death does (and ECONNRESET, what the socket said).
var errListenerGone error = listenerGone{}

type listenerGone struct{}

func (listenerGone) Error() string {
	return "connection refused: the listener closed (or died) before accepting it"
}

func (listenerGone) Is(target error) bool {
	return target == syscall.ECONNREFUSED || target == syscall.ECONNRESET
}

// refusedError is a listener's refusal of our credentials.
type refusedError struct{ why string }

func (e *refusedError) Error() string { return "connection refused: " + e.why }

// Is matches os.ErrPermission (and syscall.ECONNREFUSED: the connection
// was refused).
func (e *refusedError) Is(target error) bool {
	return target == os.ErrPermission || target == syscall.ECONNREFUSED
}
