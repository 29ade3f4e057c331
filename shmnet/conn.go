//go:build linux

package shmnet

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/internal/spin"
)

func pause() { spin.Pause(1) }

// Conn is one end of a shmnet connection: a net.Conn whose bytes travel
// through shared memory, one ring each way. Read and Write never enter
// the kernel while the other side keeps up; a side that must wait spins
// briefly, then parks its goroutine, holding no thread. Like every
// net.Conn, its methods may be called from several goroutines at once.
//
// The connection's Unix socket stays open for its lifetime. It carries
// the wake-ups: a side that finds the peer parked sends it one byte
// (MSG_DONTWAIT: a peer that stops reading cannot block us), and a
// goroutine of the peer's, parked on its end in the runtime's poller,
// wakes the parked call. The kernel closes the peer's end when its
// process exits, however it exits, and that is how a blocked Read or
// Write learns of a dead peer.
type Conn struct {
	name  string
	role  int // 0: the dialer's end (a Pipe's first), 1: the listener's
	local Addr
	cred  atomic.Pointer[Cred] // set once before the Conn is handed out, and by Attach's done for a Pipe's first end
	spins atomic.Int64         // PAUSEs a waiting side spins before it parks

	mem    []byte
	tx, rx dir
	capac  uint64

	sock   *net.UnixConn
	sockFd int // sock's descriptor, for the wake-ups we send (inside the gate)
	// A parked Read (rxWake) or Write (txWake) sleeps on its channel
	// until the watcher relays the peer's wake-up, or our own Close,
	// CloseRead/CloseWrite or deadline sends to it. Nothing the peer
	// holds can block them.
	rxWake, txWake chan struct{}
	// memfd stays open for the connection's life: Attach sends it, and
	// shmtool reads the positions through /proc/PID/fd (never writing).
	memfd      *os.File
	race       *raceToken // for the race detector (race_unsafe.go); nil without it
	attachable bool       // the second end of a Pipe, not yet attached
	first      *Conn      // for the second end of a Pipe: the first, whose peer Attach changes

	gate     gate.Gate
	rmu, wmu sync.Mutex
	rdl, wdl deadline

	// The reader's state (under rmu): its position, the writer's as last
	// loaded, and what Next handed out, released by the next read.
	r, wSeen, pending uint64
	// The writer's (under wmu): its position and the reader's as last loaded.
	w, rSeen uint64

	peerGone   atomic.Bool
	closing    atomic.Bool // Close has begun: calls it wakes fail with net.ErrClosed
	readShut   atomic.Bool
	writeShut  atomic.Bool
	broken     atomic.Pointer[error]
	closeOnce  sync.Once
	closeErr   error
	detached   bool
	onClose    func() // a Listener's bookkeeping
	sentBytes  atomic.Uint64
	recvdBytes atomic.Uint64
}

var _ net.Conn = (*Conn)(nil)

// newConn makes the end of role (0: dialer, the first end of a Pipe; 1:
// listener) over a validated mapping, taking r and sock.
func newConn(name string, role int, r *resources, capacity int, sock *net.UnixConn, spins int) (*Conn, error) {
	fd, err := socketFd(sock)
	if err != nil {
		r.close()
		sock.Close()
		return nil, err
	}
	d := dirs(r.mem, capacity)
	c := &Conn{
		name: name, role: role, local: Addr{name},
		mem: r.mem, tx: d[role], rx: d[1-role], capac: uint64(capacity),
		sock: sock, sockFd: fd, memfd: r.memfd,
		rxWake: make(chan struct{}, 1), txWake: make(chan struct{}, 1),
	}
	c.rdl.wake, c.wdl.wake = c.rxWake, c.txWake
	c.race = raceJoin(r.memfd)
	// Positions: what the shared words say now (0 for a new connection;
	// an inherited Pipe end takes up where its parent left off).
	c.spins.Store(int64(spins))
	c.w, c.rSeen = c.tx.wpos.Load(), c.tx.rpos.Load()
	c.r, c.wSeen = c.rx.rpos.Load(), c.rx.wpos.Load()
	if c.w-c.rSeen > c.capac || c.wSeen-c.r > c.capac { // an inherited end's positions
		c.fail(fmt.Errorf("%w: positions %d/%d and %d/%d", ErrCorrupt, c.w, c.rSeen, c.wSeen, c.r))
	}
	c.gate.OnClose(func() { notify(c.rxWake); notify(c.txWake) })
	go c.watch()
	return c, nil
}

// What a wake-up byte on the socket asks for. Any other byte (only a
// hostile peer sends one) wakes both: a woken call looks again and
// parks again if it has nothing to do, so a spurious wake-up is safe.
const (
	wakeReader byte = 'r' // the peer wrote, or shut its writing side
	wakeWriter byte = 'w' // the peer read, or shut its reading side
)

// notify wakes the call parked on ch, or the next one to park there.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// watch relays the peer's wake-ups to our parked calls until the
// peer's end of the socket closes (the peer closed, or its process
// exited), then wakes them for good.
func (c *Conn) watch() {
	var b [watchRead]byte
	for {
		n, err := c.sock.Read(b[:])
		// A full read means a backlog: the peer may have dropped a
		// wake-up on a full socket (sendWake), of either kind, so both
		// calls look again.
		r, w := n == len(b), n == len(b)
		for _, x := range b[:n] {
			r = r || x != wakeWriter
			w = w || x != wakeReader
		}
		if r {
			notify(c.rxWake)
		}
		if w {
			notify(c.txWake)
		}
		if err != nil {
			break
		}
	}
	c.peerGone.Store(true)
	notify(c.rxWake)
	notify(c.txWake)
}

// watchRead is how many wake-up bytes the watcher reads at a time. A
// socket that refused one (EAGAIN) holds more than this many, however
// small its sender's buffer (TestFullSocketBacklog), so the first read
// after a drop is a full one.
const watchRead = 4

// wakePeer sends the peer a wake-up byte. Called inside the gate, so
// that the socket is open. It never blocks: a full socket means the
// peer has wake-ups it has not read yet (or does not read them at all).
func (c *Conn) wakePeer(kind byte) { sendWake(c.sockFd, kind) }

func (c *Conn) opErr(op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return &net.OpError{Op: op, Net: "shm", Source: c.local, Addr: c.local, Err: err}
}

// fail marks the connection broken by err (ErrCorrupt) and returns it.
func (c *Conn) fail(err error) error {
	c.broken.CompareAndSwap(nil, &err)
	return *c.broken.Load()
}

// Read reads up to len(b) bytes, waiting for at least one. Once the
// peer has closed its writing side and everything it wrote was read, it
// returns io.EOF; if the peer's process died instead, ErrPeerDead.
func (c *Conn) Read(b []byte) (int, error) {
	if err := c.gate.Enter(); err != nil {
		return 0, c.opErr("read", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rdl.expired.Load() { // as a net.Conn: a passed deadline fails the call, data or not
		return 0, c.opErr("read", os.ErrDeadlineExceeded)
	}
	if len(b) == 0 {
		return 0, nil
	}
	avail, err := c.readable()
	if err != nil {
		return 0, c.opErr("read", err)
	}
	n := min(uint64(len(b)), avail)
	i := c.r & c.rx.mask
	k := copy(b[:n], c.rx.data[i:])
	copy(b[k:n], c.rx.data)
	c.consume(n)
	return int(n), nil
}

// readable releases what Next handed out and waits until bytes are
// there to read, returning how many.
func (c *Conn) readable() (uint64, error) {
	if c.pending != 0 {
		c.consume(c.pending)
		c.pending = 0
	}
	for {
		if n := c.wSeen - c.r; n != 0 {
			raceSee(c.race, 1-c.role)
			return n, nil
		}
		if err := c.loadW(); err != nil {
			return 0, err
		}
		if c.wSeen != c.r {
			continue
		}
		if err := c.readState(); err != nil {
			return 0, err
		}
		c.wait(c.rx.readerParked, c.rxWake, c.dataReady)
	}
}

// loadW loads and validates the writer's position.
func (c *Conn) loadW() error {
	// The writer's position only moves forward, and at most a lap past
	// ours: anything else was not written honestly.
	w := c.rx.wpos.Load()
	if w-c.wSeen > c.r+c.capac-c.wSeen {
		return c.fail(fmt.Errorf("%w: writer at %d, reader at %d, capacity %d", ErrCorrupt, w, c.r, c.capac))
	}
	c.wSeen = w
	return nil
}

// readState is why a reader with nothing to read should not wait, if
// there is a reason: EOF, a dead peer, a closed or broken connection, a
// deadline.
func (c *Conn) readState() error {
	switch {
	case c.closing.Load() || c.gate.Closed():
		return net.ErrClosed
	case c.broken.Load() != nil:
		return *c.broken.Load()
	case c.readShut.Load():
		return io.EOF
	case c.rx.writeClosed.Load() == 1 || c.peerGone.Load():
		// The flag (or the socket's end) comes after the last byte:
		// look at the position once more.
		if err := c.loadW(); err != nil {
			return err
		}
		if c.wSeen != c.r {
			return nil
		}
		if c.rx.writeClosed.Load() == 1 {
			raceSee(c.race, 1-c.role)
			return io.EOF
		}
		return ErrPeerDead
	case c.rdl.expired.Load():
		return os.ErrDeadlineExceeded
	}
	return nil
}

func (c *Conn) dataReady() bool {
	return c.rx.wpos.Load() != c.r || c.rx.writeClosed.Load() == 1 || c.peerGone.Load() ||
		c.readShut.Load() || c.gate.Closed() || c.rdl.expired.Load()
}

// consume frees n bytes read, and wakes a writer parked for room.
func (c *Conn) consume(n uint64) {
	c.r += n
	c.recvdBytes.Add(n)
	// A sequentially consistent store, then the load of the flag: the
	// writer stores its flag, then loads our position (Dekker), so that
	// one of us sees the other.
	c.rx.rpos.Store(c.r)
	if c.rx.writerParked.Load() == 1 && c.rx.writerParked.CompareAndSwap(1, 0) {
		c.wakePeer(wakeWriter)
	}
}

// Write writes all of b, waiting for room as needed, unless an error
// (the deadline, a closed or dead peer) stops it first.
func (c *Conn) Write(b []byte) (int, error) {
	if err := c.gate.Enter(); err != nil {
		return 0, c.opErr("write", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	total := 0
	for {
		free, err := c.writable()
		if err != nil {
			return total, c.opErr("write", err)
		}
		if len(b) == 0 {
			return total, nil
		}
		n := min(uint64(len(b)), free)
		i := c.w & c.tx.mask
		k := copy(c.tx.data[i:], b[:n])
		copy(c.tx.data, b[k:n])
		c.produce(n)
		b = b[n:]
		total += int(n)
		if len(b) == 0 {
			return total, nil
		}
	}
}

// writable waits until there is room to write (or a reason not to
// write at all, checked first), returning how much.
func (c *Conn) writable() (uint64, error) {
	for {
		if err := c.writeState(); err != nil {
			return 0, err
		}
		if n := c.capac - (c.w - c.rSeen); n != 0 {
			return n, nil
		}
		// The reader's position only moves forward, and never past ours.
		r := c.tx.rpos.Load()
		if r-c.rSeen > c.w-c.rSeen {
			return 0, c.fail(fmt.Errorf("%w: reader at %d, writer at %d", ErrCorrupt, r, c.w))
		}
		if r != c.rSeen {
			c.rSeen = r
			continue
		}
		c.wait(c.tx.writerParked, c.txWake, c.roomReady)
	}
}

// writeState is why a writer should not write.
func (c *Conn) writeState() error {
	switch {
	case c.closing.Load() || c.gate.Closed():
		return net.ErrClosed
	case c.broken.Load() != nil:
		return *c.broken.Load()
	case c.writeShut.Load() || c.tx.readClosed.Load() == 1:
		return syscall.EPIPE
	case c.peerGone.Load():
		return ErrPeerDead
	case c.wdl.expired.Load():
		return os.ErrDeadlineExceeded
	}
	return nil
}

func (c *Conn) roomReady() bool {
	return c.tx.rpos.Load() != c.rSeen || c.tx.readClosed.Load() == 1 || c.peerGone.Load() ||
		c.writeShut.Load() || c.gate.Closed() || c.wdl.expired.Load()
}

// produce publishes n bytes written and wakes a parked reader.
func (c *Conn) produce(n uint64) {
	racePublish(c.race, c.role)
	c.w += n
	c.sentBytes.Add(n)
	c.tx.wpos.Store(c.w) // sequentially consistent: see consume
	if c.tx.readerParked.Load() == 1 && c.tx.readerParked.CompareAndSwap(1, 0) {
		c.wakePeer(wakeReader)
	}
}

// yieldEvery is how many PAUSEs (some 25ns each) a spinning side makes
// between yields of its P.
const yieldEvery = 64

// wait spins up to c.spins PAUSEs for ready, then parks on wake: it
// stores its flag, looks once more, and sleeps until the peer's wake-up
// (relayed by the watcher) or our own Close, shutdown or deadline sends
// to wake. The caller looks again: ready covers every reason to return.
func (c *Conn) wait(parked *atomic.Uint32, wake chan struct{}, ready func() bool) {
	for i := c.spins.Load(); i > 0; i-- {
		if ready() {
			return
		}
		if i%yieldEvery == 0 {
			// Let this process's other goroutines run on our P: the
			// peer's answer often needs one of them first (gRPC's
			// handler, its writer goroutine), and a P held by a
			// spinner would make it wake a parked thread instead.
			runtime.Gosched()
		}
		pause()
	}
	parked.Store(1)
	if !ready() {
		<-wake
	}
	parked.Store(0)
}

// CloseWrite shuts the writing side: the peer reads what was written,
// then io.EOF. Writes fail afterwards with EPIPE, as after
// shutdown(SHUT_WR) on a socket, and so does a Write in progress that is
// waiting for room: it returns the count it wrote, which is what the peer
// reads before io.EOF. CloseWrite waits for that Write to return (a
// ReadFrom's, once its source's Read does).
func (c *Conn) CloseWrite() error {
	if err := c.gate.Enter(); err != nil {
		return c.opErr("close", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.shutWrite()
	return nil
}

// shutWrite stops our writers, and then, once none is inside a Write,
// tells the peer: a Write that had passed its checks must not publish
// bytes after the peer has seen the end.
func (c *Conn) shutWrite() {
	c.writeShut.Store(true)
	notify(c.txWake) // our own writer parked for room
	c.wmu.Lock()
	racePublish(c.race, c.role)
	c.tx.writeClosed.Store(1)
	c.wmu.Unlock()
	if c.tx.readerParked.Load() == 1 && c.tx.readerParked.CompareAndSwap(1, 0) {
		c.wakePeer(wakeReader)
	}
}

// CloseRead shuts the reading side: once what is buffered is read, Reads
// return io.EOF, and the peer's writes fail with EPIPE.
func (c *Conn) CloseRead() error {
	if err := c.gate.Enter(); err != nil {
		return c.opErr("close", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.readShut.Store(true)
	c.shutRead()
	return nil
}

func (c *Conn) shutRead() {
	c.rx.readClosed.Store(1)
	if c.rx.writerParked.Load() == 1 && c.rx.writerParked.CompareAndSwap(1, 0) {
		c.wakePeer(wakeWriter)
	}
	notify(c.rxWake)
}

// Close closes the connection: pending and later calls return
// net.ErrClosed, and the peer reads what was written, then io.EOF. It
// waits for calls in progress to return before it unmaps the memory,
// including a WriteTo's destination and a ReadFrom's source: a ReadFrom
// blocked reading another connection holds Close until that read
// returns. Slices Next returned are not to be used after Close.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		// Before the shutdowns wake our parked calls: they must see
		// Close (net.ErrClosed), not the EPIPE or EOF of a shutdown.
		c.closing.Store(true)
		if c.gate.Enter() == nil {
			if !c.detached {
				c.shutWrite()
				c.shutRead()
			}
			c.gate.Leave()
		}
		c.closeErr = c.gate.Close(c.release)
		if c.onClose != nil {
			c.onClose()
		}
	})
	if c.closeErr != nil {
		return c.opErr("close", c.closeErr)
	}
	return nil
}

// release lets go of everything, once no call is inside.
func (c *Conn) release() error {
	c.rdl.stop()
	c.wdl.stop()
	err := unmap(c.mem)
	raceLeave(c.race)
	c.memfd.Close()
	c.sock.Close()
	return err
}

// LocalAddr returns the connection's name.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the connection's name, as LocalAddr does: both ends
// are on this machine, and PeerCred says who the peer is.
func (c *Conn) RemoteAddr() net.Addr { return c.local }

// PeerCred returns the peer process's pid, uid and gid, from the kernel
// when it connected. Both ends of a Pipe report this process, until the
// second end is attached to a child: once Attach's done has run after
// cmd.Start, the first end reports the child.
func (c *Conn) PeerCred() Cred {
	if p := c.cred.Load(); p != nil {
		return *p
	}
	return Cred{}
}

// setCred sets what PeerCred returns.
func (c *Conn) setCred(cred Cred) { c.cred.Store(&cred) }

// SetSpin sets how long a Read or Write of this end that waits for the
// peer spins before it parks (Config.Spin): zero or negative parks at
// once. Spinning costs a core while it lasts and saves the wake-up's
// system calls on both sides when the peer answers within it.
func (c *Conn) SetSpin(d time.Duration) { c.spins.Store(int64(spins(d))) }

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets when pending and future Reads fail with an error
// that matches os.ErrDeadlineExceeded (a net.Error whose Timeout is
// true). The zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if err := c.gate.Enter(); err != nil {
		return c.opErr("set", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.rdl.set(t)
	return nil
}

// SetWriteDeadline is SetReadDeadline for Writes.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if err := c.gate.Enter(); err != nil {
		return c.opErr("set", net.ErrClosed)
	}
	defer c.gate.Leave()
	c.wdl.set(t)
	return nil
}
