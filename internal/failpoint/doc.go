// Package failpoint lets tests make a process die or stall at a named point
// inside a protocol, so that crash recovery can be tested at every step.
//
// Points are armed by the SHMKIT_FAILPOINT environment variable, read once
// at start-up: a comma-separated list of NAME=ACTION, where ACTION is
//
//	kill    the process sends itself SIGKILL
//	stop    the process sends itself SIGSTOP
//	hang    the calling goroutine blocks forever
//
// optionally followed by @N to act on the N-th hit only (counting from 1).
// For example SHMKIT_FAILPOINT=shm/create/sized=kill.
//
// When the variable is unset, [Inject] costs one load of a package-level
// bool and a predictable branch.
//
// # Caveats
//
// This is a testing hook. A program that sets SHMKIT_FAILPOINT in
// production gets what it asked for.
package failpoint
