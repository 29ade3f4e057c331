package futex_test

import (
	"sync/atomic"
	"testing"

	"github.com/shmkit/shmkit/futex"
)

// BenchmarkWakeNoWaiters is the cost a waker pays when it does not know
// whether anyone sleeps: one system call.
func BenchmarkWakeNoWaiters(b *testing.B) {
	var w atomic.Uint32
	b.ReportAllocs()
	for b.Loop() {
		futex.Wake(&w, 1)
	}
}

// BenchmarkWaitStale is a Wait whose value has already changed: the kernel
// returns EAGAIN at once.
func BenchmarkWaitStale(b *testing.B) {
	var w atomic.Uint32
	w.Store(1)
	b.ReportAllocs()
	for b.Loop() {
		futex.Wait(&w, 0)
	}
}

// BenchmarkPingPong hands a token back and forth between two goroutines
// that park on futexes: two blocking round trips per iteration.
func BenchmarkPingPong(b *testing.B) {
	var turn atomic.Uint32 // 0: ping's turn, 1: pong's turn
	stop := make(chan struct{})
	go func() {
		for {
			for turn.Load() != 1 {
				select {
				case <-stop:
					return
				default:
				}
				futex.WaitTimeout(&turn, 0, 1e8)
			}
			turn.Store(0)
			futex.Wake(&turn, 1)
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		turn.Store(1)
		futex.Wake(&turn, 1)
		for turn.Load() != 0 {
			futex.Wait(&turn, 1)
		}
	}
	close(stop)
	turn.Store(1)
	futex.Wake(&turn, 1)
}
