package bench

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
)

// limit and futex: one turn word and one buffer, strictly alternating.

// turnLink is both ends of a ping-pong over one shared buffer: a side may
// write when the turn word equals its count v, and its peer's answer has
// come when the word is v+1. limit spins on the word (the hardware floor
// for a round trip), futex parks on it (the floor for a blocking one).
type turnLink struct {
	word  *atomic.Uint32
	buf   []byte
	v     uint32
	block bool
}

func (t *turnLink) await(want uint32) error {
	deadline := time.Now().Add(peerTimeout)
	for i := 0; ; i++ {
		cur := t.word.Load()
		if cur == want {
			return nil
		}
		if t.block {
			if err := futex.WaitUntil(t.word, cur, deadline); err != nil {
				return err
			}
		} else if i%(1<<20) == 0 && time.Now().After(deadline) {
			return os.ErrDeadlineExceeded
		}
	}
}

func (t *turnLink) send(msg []byte) error {
	if err := t.await(t.v); err != nil {
		return err
	}
	copy(t.buf, msg)
	t.v++
	t.word.Store(t.v) // release: the buffer's bytes happen-before the peer's load of v
	if t.block {
		_, err := futex.Wake(t.word, 1)
		return err
	}
	return nil
}

func (t *turnLink) recv(buf []byte) ([]byte, error) {
	if err := t.await(t.v + 1); err != nil {
		return nil, err
	}
	t.v++
	return t.buf[:len(buf)], nil
}

// turnWord is where the turn word sits in the segment's payload, and
// turnBuffer where the buffer starts (a cache line further).
const turnWord, turnBuffer = 0, 64

func turnLinkFor(parent bool, mode string, size int, args []string) (*link, error) {
	seg, name, closer, err := rawSegment(parent, "turn", turnBuffer+size, args)
	if err != nil {
		return nil, err
	}
	p := seg.Payload()
	if len(p) < turnBuffer+size { // the child's segment is untrusted
		closer()
		return nil, fmt.Errorf("turn segment of %d bytes, want %d", len(p), turnBuffer+size)
	}
	word, err := shm.View[atomic.Uint32](seg, turnWord) // checked: inside the payload, aligned
	if err != nil {
		closer()
		return nil, err
	}
	t := &turnLink{word: word, buf: p[turnBuffer : turnBuffer+size], block: mode == "block"}
	l := &link{tx: t, rx: t, args: []string{name}, closer: closer, wakeups: noWakeups}
	if t.block {
		l.wakeups, l.wakesPerMsg = nil, 1 // every send wakes the word
	}
	return l, nil
}
