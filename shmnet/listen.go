//go:build linux

package shmnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// Listener accepts shmnet connections on a name. It is a net.Listener.
type Listener struct {
	name  string
	cfg   Config
	ul    *net.UnixListener
	ready chan *Conn
	done  chan struct{}
	once  sync.Once
	slots chan struct{} // one per connection being set up or waiting for Accept: Config.Backlog

	mu     sync.Mutex
	conns  map[*Conn]struct{} // accepted and not yet closed
	closed bool               // Close has begun: no handshake starts
	pend   sync.WaitGroup     // handshakes in progress
}

var _ net.Listener = (*Listener)(nil)

// Listen listens on name: 1 to 80 bytes, without '/' or NUL, in a
// namespace of this machine's (an abstract Unix socket address, not a
// file). A name that another live listener has fails with an error
// matching syscall.EADDRINUSE; a dead listener's name is free at once,
// since nothing of it outlives its process.
func Listen(name string, cfg Config) (*Listener, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	addr, err := socketName(name)
	if err != nil {
		return nil, err
	}
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: "shm", Addr: Addr{name}, Err: unwrapOp(err)}
	}
	l := &Listener{name: name, cfg: cfg, ul: ul, ready: make(chan *Conn), done: make(chan struct{}),
		slots: make(chan struct{}, cfg.Backlog), conns: map[*Conn]struct{}{}}
	go l.serve()
	return l, nil
}

// unwrapOp returns the error inside a net.OpError (the system call's),
// so that ours does not nest one in another.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}

// serve accepts sockets and sets each up in its own goroutine, so that
// a peer that stalls its handshake stalls no other (it holds one slot,
// for up to setupTimeout). It takes a slot first, and so accepts nothing
// while Backlog connections are in setup or waiting for Accept.
func (l *Listener) serve() {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return
		}
		uc, err := l.ul.AcceptUnix()
		if err != nil {
			<-l.slots
			select {
			case <-l.done:
				return
			default:
			}
			time.Sleep(5 * time.Millisecond) // EMFILE and the like: try again
			continue
		}
		l.mu.Lock()
		if l.closed { // Close is waiting for the handshakes: start none
			l.mu.Unlock()
			uc.Close()
			return
		}
		l.pend.Add(1)
		l.mu.Unlock()
		go func() {
			defer l.pend.Done()
			defer func() { <-l.slots }() // set up and accepted, or failed
			l.setup(uc)
		}()
	}
}

// setup runs the listener's side of a handshake and hands the
// connection to Accept.
func (l *Listener) setup(uc *net.UnixConn) {
	cred, err := peerCred(uc)
	if err != nil {
		uc.Close()
		return
	}
	if !admits(l.cfg.Perm, cred) || l.cfg.Allow != nil && !l.cfg.Allow(cred) {
		_ = sendHello(uc, statusRefused, fmt.Sprintf("uid %d, gid %d not allowed", cred.UID, cred.GID), nil)
		uc.Close()
		return
	}
	r, err := newResources(l.name, l.cfg.Capacity)
	if err != nil {
		_ = sendHello(uc, statusRefused, err.Error(), nil)
		uc.Close()
		return
	}
	if err := sendHello(uc, statusOK, "", r); err != nil {
		r.close()
		uc.Close()
		return
	}
	var ack [1]byte
	uc.SetReadDeadline(time.Now().Add(setupTimeout))
	if n, err := uc.Read(ack[:]); err != nil || n != 1 || ack[0] != ackOK {
		r.close()
		uc.Close()
		return
	}
	uc.SetDeadline(time.Time{})
	c, err := newConn(l.name, 1, r, l.cfg.Capacity, uc, spins(l.cfg.Spin))
	if err != nil {
		return
	}
	c.setCred(cred)
	l.mu.Lock()
	l.conns[c] = struct{}{}
	l.mu.Unlock()
	c.onClose = func() {
		l.mu.Lock()
		delete(l.conns, c)
		l.mu.Unlock()
	}
	select {
	case l.ready <- c:
	case <-l.done:
		c.Close()
	}
}

// Accept waits for the next connection. After Close it fails with
// net.ErrClosed.
func (l *Listener) Accept() (net.Conn, error) { return l.AcceptShm(context.Background()) }

// AcceptShm is Accept that returns the *Conn and gives up when ctx ends.
func (l *Listener) AcceptShm(ctx context.Context) (*Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "shm", Addr: Addr{l.name}, Err: net.ErrClosed}
	case <-ctx.Done():
		return nil, &net.OpError{Op: "accept", Net: "shm", Addr: Addr{l.name}, Err: ctx.Err()}
	}
}

// Close stops listening: the name is free again at once. Connections
// already accepted stay open.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.ul.Close()
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		l.pend.Wait()
	})
	return err
}

// Addr returns the listener's name.
func (l *Listener) Addr() net.Addr { return Addr{l.name} }

// Conns returns the connections accepted and still open.
func (l *Listener) Conns() []*Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*Conn, 0, len(l.conns))
	for c := range l.conns {
		out = append(out, c)
	}
	return out
}

// Dial connects to the listener called name (see Listen), as a zero
// Dialer does. An absent or dead listener fails at once with an error
// matching syscall.ECONNREFUSED, and so does a Dial waiting in a full
// backlog (Config.Backlog) when its listener closes or dies; one that
// refuses our credentials, or that runs as another user, with one
// matching os.ErrPermission (and ECONNREFUSED). The setup has 5 s of its
// own: a listener that does not answer (stopped, or stuck) fails a Dial
// whose ctx has no earlier deadline with an error matching
// os.ErrDeadlineExceeded.
func Dial(ctx context.Context, name string) (*Conn, error) {
	var d Dialer
	return d.Dial(ctx, name)
}

// Dialer dials with options. The zero value is ready to use.
type Dialer struct {
	// Allow decides whether to trust the listener, from its credentials
	// (SO_PEERCRED). Nil trusts only our own uid and root: a listener's
	// name is not a file with an owner, so another user could bind it
	// while the server we want is down.
	Allow func(Cred) bool
	// Spin is the connection's Config.Spin: zero means DefaultSpin,
	// negative parks at once.
	Spin time.Duration
}

// Dial connects to the listener called name; see the package's Dial.
func (d *Dialer) Dial(ctx context.Context, name string) (*Conn, error) {
	c, err := d.dial(ctx, name)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "shm", Addr: Addr{name}, Err: err}
	}
	return c, nil
}

func (d *Dialer) trusts(cred Cred) bool {
	if d.Allow != nil {
		return d.Allow(cred)
	}
	return cred.UID == os.Getuid() || cred.UID == 0
}

func (d *Dialer) dial(ctx context.Context, name string) (*Conn, error) {
	addr, err := socketName(name)
	if err != nil {
		return nil, err
	}
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, "unix", addr)
	if err != nil {
		return nil, unwrapOp(err) // ECONNREFUSED: no listener bound the address
	}
	uc := nc.(*net.UnixConn)
	stop := context.AfterFunc(ctx, func() { uc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	uc.SetDeadline(time.Now().Add(setupTimeout))
	cred, err := peerCred(uc)
	if err != nil {
		uc.Close()
		return nil, err
	}
	if !d.trusts(cred) {
		uc.Close()
		return nil, &refusedError{fmt.Sprintf("we do not trust the listener: pid %d, uid %d (Dialer.Allow)", cred.PID, cred.UID)}
	}
	r, capacity, err := readHello(uc)
	if err != nil {
		uc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if _, err := uc.Write([]byte{ackOK}); err != nil {
		r.close()
		uc.Close()
		return nil, err
	}
	if !stop() {
		r.close()
		uc.Close()
		return nil, ctx.Err()
	}
	uc.SetDeadline(time.Time{})
	spin := d.Spin
	if spin == 0 {
		spin = DefaultSpin
	}
	c, err := newConn(name, 0, r, capacity, uc, spins(spin))
	if err != nil {
		return nil, err
	}
	c.setCred(cred)
	return c, nil
}
