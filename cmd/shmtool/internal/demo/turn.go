package demo

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
)

// The segment's payload: a turn word, a length, then the message buffer.
const (
	turnOff   = 0  // the turn word: writer, reader or done
	lengthOff = 4  // bytes of the current message
	bufferOff = 64 // the message itself, a cache line from the words
)

// Values of the turn word.
const (
	writersTurn = 0
	readersTurn = 1
	done        = 2
)

// turnTimeout is how long a side waits for the other's turn: the other
// process may have died.
const turnTimeout = 10 * time.Second

// handoff waits until the turn word holds want, parking on the futex.
func handoff(turn *atomic.Uint32, want uint32) error {
	deadline := time.Now().Add(turnTimeout)
	for {
		v := turn.Load()
		if v == want {
			return nil
		}
		if v == done && want != done {
			return errors.New("peer finished early")
		}
		if err := futex.WaitUntil(turn, v, deadline); err != nil {
			return fmt.Errorf("peer did not answer: %w", err)
		}
	}
}

// give stores next in the turn word and wakes the peer.
func give(turn *atomic.Uint32, next uint32) error {
	turn.Store(next) // release: the message bytes happen-before the peer's load
	_, err := futex.Wake(turn, 1)
	return err
}
