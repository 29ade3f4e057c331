// Package bench is shmtool bench's engine: it measures, between two
// processes on this machine, one-way throughput and round-trip latency of
// shmkit's ring (also written in batches: ring-batch), queue and stream,
// of what a program would otherwise use (a pipe, Unix stream and
// seqpacket sockets, and, within one process, a buffered Go channel), and
// of three floors: floor, a minimal Go ring of fixed-size records doing
// the same work (throughput), limit, an atomic ping-pong on one shared
// cache line (spinning round trips), and futex, a raw futex ping-pong
// (blocking ones). Block-mode round trips of ring, queue, stream and
// futex are measured twice: back to back, and each after an untimed
// pause of a millisecond (after idle). Where it can be known, each row
// also has the futex wake-ups per message, from shmkit's shared counters.
//
// Run measures the whole plan Config.Rounds times, round by round, and
// reports each row's median and the spread of its rounds.
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
// the receiver checks the CRC-32C of every payload against the sender's
// (the round trips' sender checks the replies' too): a message lost,
// repeated, out of order or changed fails the measurement. In spin mode
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
