// Package bench is shmtool bench's engine: it measures, between two
// processes on this machine, one-way throughput and round-trip latency of
// shmkit's ring, queue and stream, of what a program would otherwise use
// (a pipe, Unix stream and seqpacket sockets, and, within one process, a
// buffered Go channel), and of two floors: limit, an atomic ping-pong on
// one shared cache line, and futex, a raw futex ping-pong.
//
// Run measures and returns the figures; it prints nothing but progress, to
// Config.Progress if set. The second process is this binary re-executed as
// a reexec role, so every binary that calls Run registers the role first:
//
//	func main() {
//		bench.RegisterRoles()
//		reexec.Main()
//		rep, err := bench.Run(ctx, bench.Config{Transports: []string{"ring"}, Duration: 250 * time.Millisecond})
//		...
//	}
//
// A test binary does the same in its TestMain.
//
// Every message carries a sequence number that the receiver checks, and
// the receiver reads every byte of every payload (a CRC-32C). In spin mode
// both sides busy-wait (non-blocking descriptors for pipes and sockets);
// in block mode they park (futexes, or Go's poller).
//
// # Caveats
//
// Run locks the calling goroutine to its thread while it measures, and,
// with Config.CPUs, pins that thread (and the second process) to a core;
// the thread's affinity is restored before Run returns. Figures from a
// machine under other load, or from two processes sharing a core
// (Machine.SharedCore), say little.
package bench
