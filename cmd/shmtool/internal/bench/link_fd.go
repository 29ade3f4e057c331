package bench

import (
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
)

// What a program would otherwise use: pipes and Unix sockets, through the
// standard library (block mode: os.File and net.Conn, which park in Go's
// poller) or as raw non-blocking descriptors polled in a loop (spin mode).

// fdLink makes (parent) or adopts (child) the descriptors of a pipe,
// unix or unixpacket link. The child gets its rx end as fd 3 and its tx
// end as fd 4 (one socket serves both).
func fdLink(parent bool, transport, mode string) (*link, error) {
	var rx, tx *os.File
	var childFiles []*os.File
	switch {
	case !parent:
		rx, tx = os.NewFile(3, "rx"), os.NewFile(4, "tx")
	case transport == "pipe":
		fwdR, fwdW, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		backR, backW, err := os.Pipe()
		if err != nil {
			fwdR.Close()
			fwdW.Close()
			return nil, err
		}
		tx, rx = fwdW, backR
		childFiles = []*os.File{fwdR, backW}
	default:
		typ := syscall.SOCK_STREAM
		if transport == "unixpacket" {
			typ = syscall.SOCK_SEQPACKET
		}
		syscall.ForkLock.RLock() // no child may inherit them before they are close-on-exec
		fds, err := syscall.Socketpair(syscall.AF_UNIX, typ, 0)
		if err == nil {
			syscall.CloseOnExec(fds[0])
			syscall.CloseOnExec(fds[1])
		}
		syscall.ForkLock.RUnlock()
		if err != nil {
			return nil, fmt.Errorf("socketpair: %w", err)
		}
		mine := os.NewFile(uintptr(fds[0]), transport)
		theirs := os.NewFile(uintptr(fds[1]), transport)
		rx, tx = mine, mine
		childFiles = []*os.File{theirs, theirs}
	}
	closer := func() {
		rx.Close()
		tx.Close()
		for _, f := range childFiles {
			f.Close()
		}
	}
	l := &link{files: childFiles, closer: closer}
	packet := transport == "unixpacket"
	if mode == "spin" {
		rfd, wfd := int(rx.Fd()), int(tx.Fd())
		if err := syscall.SetNonblock(rfd, true); err != nil {
			closer()
			return nil, err
		}
		if err := syscall.SetNonblock(wfd, true); err != nil {
			closer()
			return nil, err
		}
		l.tx, l.rx = rawTx{fd: wfd, keep: tx}, rawRx{fd: rfd, packet: packet, keep: rx}
		return l, nil
	}
	if transport == "pipe" {
		l.tx, l.rx = writerTx{tx}, readerRx{rx}
		return l, nil
	}
	conn, err := net.FileConn(rx) // a duplicate descriptor, in Go's poller
	if err != nil {
		closer()
		return nil, err
	}
	l.closer = func() { conn.Close(); closer() }
	if packet {
		l.tx, l.rx = writerTx{conn}, packetRx{conn}
	} else {
		l.tx, l.rx = writerTx{conn}, readerRx{conn}
	}
	return l, nil
}

// packetRx reads one SOCK_SEQPACKET packet per message.
type packetRx struct{ r io.Reader }

func (p packetRx) recv(buf []byte) ([]byte, error) {
	n, err := p.r.Read(buf)
	if err == nil && n == 0 {
		err = io.EOF
	}
	return buf[:n], err
}

// rawTx writes a message to a non-blocking descriptor, spinning while it
// is full.
type rawTx struct {
	fd   int
	keep *os.File // owns fd
}

func (s rawTx) send(msg []byte) error {
	for len(msg) > 0 {
		n, err := syscall.Write(s.fd, msg)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			continue
		case err != nil:
			return err
		}
		msg = msg[n:]
	}
	return nil
}

// rawRx reads a message from a non-blocking descriptor, spinning while it
// is empty: len(buf) bytes of a stream, or one packet.
type rawRx struct {
	fd     int
	packet bool
	keep   *os.File
}

func (r rawRx) recv(buf []byte) ([]byte, error) {
	got := 0
	for got < len(buf) {
		n, err := syscall.Read(r.fd, buf[got:])
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			continue
		case err != nil:
			return nil, err
		case n == 0:
			return nil, io.EOF
		}
		got += n
		if r.packet {
			break
		}
	}
	return buf[:got], nil
}

// checkSizesFit fails, before anything is measured, for a message size
// that one of ts cannot carry on this machine: a seqpacket socket's
// message must fit its send buffer (net.core.wmem_default), which the
// bench leaves as it is.
func checkSizesFit(ts []Transport, sizes []int) error {
	if !slices.ContainsFunc(ts, func(t Transport) bool { return t.Name == "unixpacket" }) {
		return nil
	}
	n := slices.Max(sizes)
	if err := sendSeqpacket(n); err != nil {
		return fmt.Errorf("%w: unixpacket cannot carry a %d-byte message here (%v): leave it out, or the size", ErrInvalidConfig, n, err)
	}
	return nil
}

// sendSeqpacket sends one message of n bytes over a new seqpacket pair.
func sendSeqpacket(n int) error {
	syscall.ForkLock.RLock() // no child may inherit them before they are close-on-exec
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return err
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		return err
	}
	return syscall.Sendto(fds[0], make([]byte, n), 0, nil)
}
