//lint:file-ignore SA2001 the benchmarks measure empty critical sections on purpose

package futex_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	testutil.Child("bench-contend", childBenchContend)
	testutil.Child("bench-event-pong", childBenchEventPong)
	testutil.Child("bench-pipe-echo", childBenchPipeEcho)
}

// benchShared is what the cross-process benchmarks share.
type benchShared struct {
	Mu         futex.Mutex
	Ping, Pong futex.Event
	Stop       atomic.Uint32
	N          uint64
}

func createBench(b *testing.B) *shm.Object[benchShared] {
	b.Helper()
	name := testutil.Name(b)
	obj, err := shm.CreateObject[benchShared](name, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		obj.Close()
		shm.Remove(name)
	})
	return obj
}

func BenchmarkMutexUncontended(b *testing.B) {
	var m futex.Mutex
	if _, err := live.Self(); err != nil { // register outside the loop
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Lock()
		m.Unlock()
	}
}

func BenchmarkSyncMutexUncontended(b *testing.B) {
	var m sync.Mutex
	b.ReportAllocs()
	for b.Loop() {
		m.Lock()
		m.Unlock()
	}
}

func childBenchContend(args []string) error {
	obj, err := shm.OpenObject[benchShared](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	s := obj.Get()
	testutil.Send("ready")
	for s.Stop.Load() == 0 {
		s.Mu.Lock()
		s.N++
		s.Mu.Unlock()
	}
	return nil
}

// BenchmarkMutexCrossProcessContended is Lock+Unlock while another process
// hammers the same mutex: each op is one acquisition by this side.
func BenchmarkMutexCrossProcessContended(b *testing.B) {
	obj := createBench(b)
	s := obj.Get()
	p := testutil.Start(b, "bench-contend", obj.Segment().Name())
	p.Expect("ready")
	b.ReportAllocs()
	for b.Loop() {
		s.Mu.Lock()
		s.N++
		s.Mu.Unlock()
	}
	b.StopTimer()
	s.Stop.Store(1)
	p.Wait()
}

func childBenchEventPong(args []string) error {
	obj, err := shm.OpenObject[benchShared](args[0], nil)
	if err != nil {
		return err
	}
	defer obj.Close()
	s := obj.Get()
	ctx := context.Background()
	testutil.Send("ready")
	for {
		if err := s.Ping.Wait(ctx); err != nil {
			return err
		}
		s.Ping.Clear()
		if s.Stop.Load() != 0 {
			return nil
		}
		s.Pong.Set()
	}
}

// BenchmarkEventPingPongCrossProcess is one round trip between two
// processes through two Events.
func BenchmarkEventPingPongCrossProcess(b *testing.B) {
	obj := createBench(b)
	s := obj.Get()
	p := testutil.Start(b, "bench-event-pong", obj.Segment().Name())
	p.Expect("ready")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s.Ping.Set()
		s.Pong.Wait(ctx)
		s.Pong.Clear()
	}
	b.StopTimer()
	s.Stop.Store(1)
	s.Ping.Set()
	p.Wait()
}

func childBenchPipeEcho([]string) error {
	in, out := os.NewFile(3, "in"), os.NewFile(4, "out")
	buf := make([]byte, 1)
	for {
		if _, err := in.Read(buf); err != nil {
			return nil // EOF: done
		}
		if _, err := out.Write(buf); err != nil {
			return err
		}
	}
}

// BenchmarkPipePingPongCrossProcess is one round trip of one byte between
// two processes through a pair of os.Pipes: the kernel's way.
func BenchmarkPipePingPongCrossProcess(b *testing.B) {
	toChild, childIn, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	childOut, fromChild, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	p := testutil.StartFiles(b, []*os.File{toChild, fromChild}, "bench-pipe-echo")
	toChild.Close()
	fromChild.Close()
	buf := []byte{1}
	b.ReportAllocs()
	for b.Loop() {
		childIn.Write(buf)
		childOut.Read(buf)
	}
	b.StopTimer()
	childIn.Close()
	p.Wait()
	childOut.Close()
}
