// Package demo is shmtool demo's engine: it passes messages through a
// shared-memory segment from this process to a second one, one at a
// time, both parking on a futex word in the segment between turns, and
// the second process checks the CRC-32 of every message.
//
// The second process is this binary re-executed as a reexec role, so
// every binary that calls Run calls RegisterRoles before reexec.Main (the
// tool's main, and the TestMain of a test binary that runs a demo).
//
// # Caveats
//
// The demo shows the mechanism, not the speed: a strict turn per message
// costs two futex wake-ups a round trip. shmtool bench measures the rings
// and queues meant for traffic.
package demo
