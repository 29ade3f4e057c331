package gate

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

func TestEnterAfterClose(t *testing.T) {
	var g Gate
	if err := g.Enter(); err != nil {
		t.Fatalf("Enter() = %v, want nil", err)
	}
	g.Leave()
	released := 0
	if err := g.Close(func() error { released++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := g.Enter(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Enter after Close = %v, want os.ErrClosed", err)
	}
	if err := g.Close(func() error { released++; return nil }); err != nil || released != 1 {
		t.Errorf("second Close = %v, released %d times, want nil and once", err, released)
	}
}

// TestCloseWaitsForInside checks that Close does not release while a
// goroutine is inside, and that the context it was handed ends.
func TestCloseWaitsForInside(t *testing.T) {
	var g Gate
	var inside, released atomic.Bool
	entered := make(chan struct{})
	left := make(chan error)
	go func() {
		if err := g.Enter(); err != nil {
			left <- err
			return
		}
		inside.Store(true)
		close(entered)
		ctx, cancel := g.Context(context.Background())
		<-ctx.Done() // parked until Close
		cancel()
		if released.Load() {
			left <- errors.New("released while inside")
			return
		}
		inside.Store(false)
		g.Leave()
		left <- g.Cause(ctx.Err())
	}()
	<-entered
	if err := g.Close(func() error { released.Store(inside.Load()); return nil }); err != nil {
		t.Fatal(err)
	}
	if released.Load() {
		t.Error("Close released the mapping with a goroutine inside")
	}
	if err := <-left; !errors.Is(err, os.ErrClosed) {
		t.Errorf("parked call returned %v, want os.ErrClosed", err)
	}
}

// TestWaker checks that Close runs the waker until the parked goroutine
// leaves.
func TestWaker(t *testing.T) {
	var g Gate
	var word atomic.Uint32
	g.OnClose(func() { word.Add(1) })
	if err := g.Enter(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var left atomic.Bool
	go func() {
		defer close(done)
		for word.Load() == 0 { // parked until woken
			time.Sleep(time.Millisecond)
		}
		left.Store(true) // before Leave: Close may release the moment Leave returns
		g.Leave()
	}()
	var releasedEarly atomic.Bool
	if err := g.Close(func() error {
		releasedEarly.Store(!left.Load())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	<-done
	if releasedEarly.Load() {
		t.Error("Close released before the goroutine left")
	}
}

func TestContextMerged(t *testing.T) {
	var g Gate
	ctx, cancel := context.WithCancel(context.Background())
	m, stop := g.Context(ctx)
	defer stop()
	cancel()
	<-m.Done()
	if err := g.Cause(m.Err()); !errors.Is(err, context.Canceled) {
		t.Errorf("Cause = %v, want context.Canceled while the gate is open", err)
	}
}

func BenchmarkEnter(b *testing.B) {
	var g Gate
	b.ReportAllocs()
	for b.Loop() {
		if g.Enter() == nil {
			g.Leave()
		}
	}
}

// A holder keeps the mapping until it lets go: Close returns at once,
// and the last Unhold releases.
func TestHold(t *testing.T) {
	var g Gate
	if err := g.Hold(); err != nil {
		t.Fatal(err)
	}
	released := 0
	if err := g.Close(func() error { released++; return nil }); err != nil || released != 0 {
		t.Fatalf("Close with a holder = %v, released %d; want nil, 0", err, released)
	}
	if !g.Closed() {
		t.Error("Closed() = false after Close")
	}
	if err := g.Hold(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Hold after Close = %v, want os.ErrClosed", err)
	}
	if err := g.Unhold(); err != nil || released != 1 {
		t.Errorf("last Unhold = %v, released %d; want nil, 1", err, released)
	}
	if err := g.Close(nil); err != nil || released != 1 {
		t.Errorf("second Close = %v, released %d; want nil, 1", err, released)
	}
}

func BenchmarkClosed(b *testing.B) {
	var g Gate
	for b.Loop() {
		if g.Closed() {
			b.Fatal("closed")
		}
	}
}
