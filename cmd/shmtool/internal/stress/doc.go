// Package stress is shmtool stress's engine: it creates one object of a
// kind, starts worker processes that use it as hard as they can, each
// checking the kind's invariant as it goes, kills them at random (and
// inside the protocols, through failpoints), replaces them, and checks the
// object at the end.
//
// The kinds and their invariants: mutual exclusion with an exact counter
// (mutex), a compound update repaired after its writer died (array), no
// torn value (value), permits never over-subscribed and none lost
// (semaphore), a wake-up for every set (event), a broken barrier reset
// (barrier), every message exactly once (queue), every message whole and
// in order (ring, stream), every task's right answer exactly once however
// many of its workers die (pool). A pool starts its workers itself, so
// the pool kind drives its own run: the parent runs a pool.Pool and kills
// its workers, and no stress worker starts.
//
// Run returns a Report and prints nothing but progress, to
// Config.Progress if set. Workers are this binary re-executed as a reexec
// role, so every binary that calls Run calls RegisterRoles before
// reexec.Main (the tool's main, and the TestMain of a test binary that
// runs a stress). A pool's workers are too, as the pool's own role, which
// package pool registers; the function they run is registered here, at
// package level, so that every such binary has it.
//
// # Caveats
//
// A run is only as good as its duration and its kills: a short run with
// no kills checks the invariants of the happy path only. Workers that die
// at failpoints need a binary whose failpoints are armed by environment
// (internal/failpoint), which every shmkit binary is.
package stress
