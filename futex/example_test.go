package futex_test

import (
	"fmt"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
)

// A one-shot flag: the waiter parks until the word becomes 1. In real use
// the word lives in shared memory and the two sides are processes.
func Example() {
	var ready atomic.Uint32 // normally a word inside an shm.Segment
	done := make(chan struct{})
	go func() {
		for ready.Load() == 0 { // loop: Wait may return spuriously
			if err := futex.Wait(&ready, 0); err != nil {
				panic(err)
			}
		}
		fmt.Println("woken")
		close(done)
	}()
	ready.Store(1)
	futex.Wake(&ready, futex.All)
	<-done
	// Output: woken
}
