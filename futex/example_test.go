package futex_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
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

// A Mutex guarding plain fields of a struct laid over a named segment.
// Other processes open the same struct with shm.OpenObject.
func ExampleMutex() {
	type shared struct {
		Mu   futex.Mutex
		Hits uint64 // guarded by Mu
	}
	name := fmt.Sprintf("shmkit-example-mutex-%d", os.Getpid())
	obj, err := shm.CreateObject[shared](name, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer obj.Close()
	s := obj.Get()

	switch err := s.Mu.Lock(); {
	case errors.Is(err, futex.ErrOwnerDead):
		// Another process died holding the lock: repair s, then
		s.Mu.MarkConsistent()
	case err != nil:
		fmt.Println(err)
		return
	}
	s.Hits++
	s.Mu.Unlock()
	fmt.Println("hits:", s.Hits, "locked:", s.Mu.State().Locked)
	// Output: hits: 1 locked: false
}

func ExampleEvent() {
	var e futex.Event // normally inside a shared segment
	done := make(chan struct{})
	go func() {
		e.Wait(context.Background())
		fmt.Println("started")
		close(done)
	}()
	e.Set()
	<-done
	// Output: started
}

func ExampleCond() {
	var (
		mu    futex.Mutex // normally all three inside a shared segment
		c     futex.Cond
		ready bool
	)
	done := make(chan struct{})
	go func() {
		mu.Lock()
		for !ready {
			c.Wait(context.Background(), &mu)
		}
		mu.Unlock()
		fmt.Println("ready")
		close(done)
	}()
	mu.Lock()
	ready = true
	c.Broadcast()
	mu.Unlock()
	<-done
	// Output: ready
}

func ExampleBarrier() {
	var b futex.Barrier // normally inside a shared segment, Init in CreateObject's init
	b.Init(3)
	var wg sync.WaitGroup
	var passed atomic.Int32
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.Wait(context.Background()); err == nil {
				passed.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Println("passed:", passed.Load(), "generation:", b.State().Generation)
	// Output: passed: 3 generation: 1
}
