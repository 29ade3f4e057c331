// Package shm creates, opens and maps named shared-memory segments: the
// files that every other shmkit primitive lives in.
//
// A bare name such as "orders" is the file /dev/shm/orders, the POSIX
// shared-memory namespace that shm_open(3) in C and Python's
// multiprocessing.shared_memory also use. A name that contains '/' is a
// file path, for segments that should survive a reboot on disk.
//
// Each segment starts with a 4096-byte header page (magic, layout version,
// kind, element type, creator, sizes, checksum and a ready word), laid out
// byte for byte in docs/FORMAT.md, followed by the payload at a page
// boundary:
//
//	seg, err := shm.Create("orders", 1<<20, nil) // 0600, space reserved
//	if err != nil {
//		return err
//	}
//	defer seg.Close()
//	copy(seg.Payload(), "hello")
//
// and in another process:
//
//	seg, err := shm.Open("orders", nil) // validated before it is trusted
//
// Creation is race-free: the creator builds the segment in an anonymous
// file under an exclusive flock, links it under its name only once the
// header is complete (link fails if the name is taken), and publishes the
// ready word last. OpenOrCreate lets many processes race for one name;
// exactly one creates, and a segment whose creator died before publishing
// it is recovered.
//
// Open trusts nothing it reads: it refuses symlinks and non-regular files,
// files of other users (unless Options.AllowOtherUsers), and headers that
// fail the magic, version, checksum, ready or size checks, each with its
// own error (ErrCorrupt, ErrIncompatible, ErrNotReady, ...). The validated
// geometry is copied into private memory and never re-read.
//
// # Caveats
//
// A Segment's Payload is shared memory: the Go race detector does not see
// accesses to it, and other processes may change it at any time. Build
// concurrent structures over it with sync/atomic or the shmkit packages,
// not with plain loads and stores.
//
// A process that can write a segment can write anything into it. Validate
// every index and length you read from a payload.
//
// If another process truncates the file while it is mapped, touching the
// lost pages raises SIGBUS. Segment.Check tells (ErrTruncated), and the
// ring and queue waits call it before they touch the mapping again after a
// timed-out park; between checks, use debug.SetPanicOnFault to turn a
// fault into a recoverable panic where it matters.
//
// # When not to use it
//
// For goroutines of one process, use ordinary memory, channels and sync.
// For bulk data that one process writes once and others read, a plain file
// may do.
package shm
