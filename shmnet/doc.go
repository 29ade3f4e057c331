// Package shmnet gives connections over shared memory: a net.Listener and
// net.Conn between processes of one machine whose bytes never pass
// through the kernel, so that gRPC, net/http and any Go protocol run over
// shared memory unmodified.
//
//	l, err := shmnet.Listen("api", shmnet.Config{}) // in the server
//	http.Serve(l, handler)
//
//	c, err := shmnet.Dial(ctx, "api") // in the client: a net.Conn
//
// A gRPC client reaches a shmnet server with a dialer, and the server
// serves on the listener as on any other:
//
//	s := grpc.NewServer()
//	pb.RegisterGreeterServer(s, &server{})
//	go s.Serve(l)
//
//	cc, err := grpc.NewClient("passthrough:///api",
//		grpc.WithTransportCredentials(insecure.NewCredentials()),
//		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
//			return shmnet.Dial(ctx, "api")
//		}))
//
// A stream of large messages goes faster with a larger HTTP/2 window and
// without gRPC's own read and write buffers, which copy every byte once
// more and save a shmnet connection no system call: on both sides,
// grpc.WithInitialWindowSize, grpc.WithInitialConnWindowSize,
// grpc.WithReadBufferSize(0) and grpc.WithWriteBufferSize(0) (the server's
// InitialWindowSize, InitialConnWindowSize, ReadBufferSize(0) and
// WriteBufferSize(0)). The README has the figures.
//
// Pipe gives two connected ends, as Python's multiprocessing.Pipe does:
// for two goroutines, or for a parent and the child it starts, which
// gets its end with Attach and finds it with Inherited:
//
//	mine, theirs, err := shmnet.Pipe()
//	cmd := exec.Command(os.Args[0], "worker")
//	done, err := theirs.Attach(cmd)
//	err = cmd.Start()
//	done()
//
//	c, err := shmnet.Inherited() // in the child
//
// # Semantics
//
// A Conn behaves as a *net.UnixConn: Read and Write from different
// goroutines at once; deadlines (SetDeadline, SetReadDeadline,
// SetWriteDeadline) whose errors match os.ErrDeadlineExceeded and are
// net.Errors with Timeout true; Close unblocking pending calls with
// net.ErrClosed; half-close with CloseWrite (the peer reads io.EOF after
// the data) and CloseRead (the peer's writes fail with syscall.EPIPE).
//
// A peer whose process dies is seen at once, by a parked Read or Write as
// by the next call: Read returns what the peer wrote before it died, then
// ErrPeerDead, which matches syscall.ECONNRESET and io.ErrUnexpectedEOF;
// Write returns ErrPeerDead. Dialing a name with no live listener fails at
// once with an error matching syscall.ECONNREFUSED; listening on a name
// another live listener has, with syscall.EADDRINUSE. A dead listener
// leaves nothing behind: its name is free at once.
//
// Zero-copy: io.Copy from a Conn uses its WriteTo, which hands the
// destination the bytes in shared memory; io.Copy into a Conn uses its
// ReadFrom, which reads into the shared buffer. Next reads in place.
//
// Memory model: a Write synchronizes before the Read (or Next, or
// WriteTo) that returns its bytes, in whatever process, and CloseWrite
// before the io.EOF it causes. Between goroutines of one process the race
// detector sees these edges too, as it does for a *net.UnixConn's.
//
// # How it works
//
// A connection is one memfd: a header and a byte ring each way (1 MiB by
// default, Config.Capacity), each position on its own cache line (see
// docs/FORMAT.md). It has no name: it goes when the last process that
// holds it exits, however it exits, so nothing is left in /dev/shm.
//
// Setup goes over a Unix socket in the abstract namespace, named after
// the listener. The kernel gives the listener the dialer's pid, uid and
// gid (SO_PEERCRED; Conn.PeerCred), refuses a second live listener, and
// drops the name when the listener's process exits. The listener makes
// the memfd (sealed, so that it cannot shrink under a mapping) and sends
// it (SCM_RIGHTS); the dialer validates it, maps the memory and answers.
// The socket then stays open: it carries the wake-ups, and its other end
// closing is how each side learns that the peer's process died.
//
// Data never enters the kernel while both sides are awake: the writer
// copies into the ring and stores its position; the reader loads it and
// copies out. A side that finds nothing to do spins for Config.Spin
// (50µs by default), then stores a parked flag and parks its goroutine,
// holding no thread: a thousand idle connections, each with a parked
// Read, hold a handful of threads in all. The other side sends one byte
// on the socket only when it sees the flag, and clears it, so that a
// sleeper is woken once; a goroutine of the sleeper's, in the runtime's
// poller, reads the byte and wakes it.
//
// Everything read from the shared memory is validated: a position that
// moves back, or more than a lap ahead, breaks that connection with
// ErrCorrupt, and never this process, nor another connection.
//
// # Security
//
// Who may connect is checked against Config.Perm as the kernel would
// check a socket file of that mode owned by the listener: 0600 (the
// default) admits only the listener's own uid (and root). Config.Allow
// can refuse more. A refused dialer gets an error matching
// os.ErrPermission. The other way round, a listener's name is not a file
// with an owner, so Dial trusts only a listener of its own uid (or root);
// a Dialer's Allow decides otherwise.
//
// The only descriptor the two sides share is the memfd. A wake-up is a
// send that cannot block (MSG_DONTWAIT), so a peer that stops reading
// its socket, or floods ours, costs wake-ups and nothing else. Hostile
// bytes in the shared memory, and hostile descriptors at the handshake,
// are checked.
//
// shmnet is Linux only.
package shmnet
