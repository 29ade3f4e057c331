package semaphore_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/semaphore"
	xsemaphore "golang.org/x/sync/semaphore"
)

func BenchmarkAcquireRelease(b *testing.B) {
	var s semaphore.Semaphore
	s.Init(1, 1, false)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s.Acquire(ctx, 1)
		s.Release(1)
	}
}

func BenchmarkAcquireReleaseTracked(b *testing.B) {
	var s semaphore.Semaphore
	s.Init(1, 1, true)
	ctx := context.Background()
	s.Acquire(ctx, 1) // registers the liveness token and the holder slot
	s.Release(1)
	b.ReportAllocs()
	for b.Loop() {
		s.Acquire(ctx, 1)
		s.Release(1)
	}
}

func BenchmarkXSyncWeighted(b *testing.B) {
	s := xsemaphore.NewWeighted(1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s.Acquire(ctx, 1)
		s.Release(1)
	}
}
