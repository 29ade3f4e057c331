//go:build linux && race

package shmnet

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// The race detector sees no synchronization in atomics on shared memory
// (it ignores addresses outside Go's heap), so under it a Write would not
// happen before the Read that returns its bytes, and code that relies on
// that, as on a *net.UnixConn's, would be reported as racing. So each
// direction has a token in Go's memory, which the writer releases before
// it publishes and the reader acquires once it sees the bytes (or the
// end). Two ends in one process (a Pipe, or a Dial to our own listener)
// find the same tokens by their memory's file.

// raceToken is one connection's, shared by its ends in this process.
type raceToken struct {
	dirs [2]byte // a word per direction: the dialer's writes, the listener's
	refs int     // ends that hold it, under raceMu
	key  fileKey
}

type fileKey struct{ dev, ino uint64 }

var (
	raceMu     sync.Mutex
	raceTokens = map[fileKey]*raceToken{}
)

// raceJoin returns the token of the connection whose memory is memfd.
func raceJoin(memfd *os.File) *raceToken {
	var key fileKey
	if fi, err := memfd.Stat(); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			key = fileKey{st.Dev, st.Ino}
		}
	}
	raceMu.Lock()
	defer raceMu.Unlock()
	t := raceTokens[key]
	if t == nil {
		t = &raceToken{key: key}
		raceTokens[key] = t
	}
	t.refs++
	return t
}

// raceLeave lets go of the token, forgetting it with its last end: a
// later memfd may get the same inode.
func raceLeave(t *raceToken) {
	raceMu.Lock()
	defer raceMu.Unlock()
	if t.refs--; t.refs == 0 && raceTokens[t.key] == t {
		delete(raceTokens, t.key)
	}
}

// racePublish is for a side about to publish what it wrote in direction
// dir; raceSee for a side that saw it.
func racePublish(t *raceToken, dir int) { runtime.RaceReleaseMerge(unsafe.Pointer(&t.dirs[dir])) }
func raceSee(t *raceToken, dir int)     { runtime.RaceAcquire(unsafe.Pointer(&t.dirs[dir])) }
