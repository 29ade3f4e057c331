// Package live tells whether a process is still running, in a way that
// survives pid reuse and pid namespaces.
//
// Each process that needs it registers once, lazily: it draws a random
// 62-bit token and publishes /dev/shm/shmkit-live-TOKEN (0644, holding
// "pid=P start=S"), which it holds under an exclusive flock for the rest
// of its life. The kernel drops the lock when the process dies, however it
// dies. A token is alive while its file exists and its lock is held; a
// missing file or a free lock means the process is gone. This is the
// pattern iceoryx2 uses for its nodes.
//
// Tokens are what robust primitives store as their owner: a 62-bit random
// number is never reused by a later process the way a pid is, and it means
// the same thing in every pid namespace that shares /dev/shm.
//
// # Caveats
//
// A dead process's file stays until a later process sweeps it: Self sweeps
// once when it registers, and Sweep can be called at any time. Removing a
// live process's file by hand makes it look dead to the others; don't.
package live
