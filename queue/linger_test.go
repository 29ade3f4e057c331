package queue_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shmkit/shmkit/queue"
)

// readBatchWithin runs ReadBatch(ctx, max) and fails the test if it has
// not returned within a minute: a linger that never ends.
func readBatchWithin(t *testing.T, ctx context.Context, c *queue.Consumer, max int) ([]string, error) {
	t.Helper()
	var got []string
	done := make(chan error, 1)
	go func() {
		_, err := c.ReadBatch(ctx, max, collect(&got, "", nil))
		done <- err
	}()
	select {
	case err := <-done:
		return got, err
	case <-time.After(time.Minute):
		t.Fatal("ReadBatch still lingering after a minute")
		return nil, nil
	}
}

// A linger of an hour ends as soon as a full batch is claimed: the
// queue's eighth (8 of 64 slots), or max when that is fewer.
func TestLingerEndsAtFullBatch(t *testing.T) {
	_, _, c := batchQueue(t, 12)
	c.SetLinger(time.Hour)
	got, err := readBatchWithin(t, context.Background(), c, 100)
	if err != nil || !slices.Equal(got, names(0, 8)) {
		t.Fatalf("first batch: %q, %v; want m0 to m7", got, err)
	}
	got, err = readBatchWithin(t, context.Background(), c, 3)
	if err != nil || !slices.Equal(got, names(8, 11)) {
		t.Fatalf("batch of max 3: %q, %v; want m8 to m10", got, err)
	}
}

// Lingering, a batch read that finds one message waits for the others a
// producer writes meanwhile, and takes them with it; without, it takes
// the one.
func TestLingerGathers(t *testing.T) {
	for _, linger := range []time.Duration{0, time.Hour} {
		t.Run(fmt.Sprint(linger), func(t *testing.T) {
			_, p, c := batchQueue(t, 1)
			c.SetLinger(linger)
			wrote := make(chan error, 1)
			go func() {
				time.Sleep(20 * time.Millisecond) // after ReadBatch found m0 (if it takes it at once, it has)
				var err error
				for i := 1; i < 8 && err == nil; i++ {
					err = p.Write(fmt.Appendf(nil, "m%d", i))
				}
				wrote <- err
			}()
			got, err := readBatchWithin(t, context.Background(), c, 100)
			if err != nil {
				t.Fatal(err)
			}
			if err := <-wrote; err != nil {
				t.Fatal(err)
			}
			// The linger ends when m7 is claimed, maybe before its
			// commit: it may come in the next batch.
			if linger > 0 && (len(got) < 7 || !slices.Equal(got, names(0, len(got)))) {
				t.Fatalf("lingering batch: %q, want m0 to m6 or m7", got)
			}
			if linger == 0 && !slices.Equal(got, names(0, 1)) {
				t.Fatalf("batch without linger: %q, want m0 alone", got)
			}
			for next := len(got); next < 8; next++ {
				wantRead(t, c, fmt.Sprintf("m%d", next))
			}
		})
	}
}

// A lingering batch read ends when its context does, and still hands
// over what is there; a Close of the Queue ends it too.
func TestLingerEnds(t *testing.T) {
	t.Run("context", func(t *testing.T) {
		_, _, c := batchQueue(t, 2)
		c.SetLinger(time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		got, err := readBatchWithin(t, ctx, c, 100)
		if err != nil || !slices.Equal(got, names(0, 2)) {
			t.Fatalf("got %q, %v; want m0 and m1", got, err)
		}
	})
	t.Run("close", func(t *testing.T) {
		q, _, c := batchQueue(t, 2)
		c.SetLinger(time.Hour)
		go func() {
			time.Sleep(20 * time.Millisecond)
			q.Close()
		}()
		// Whether it hands over m0 and m1 or os.ErrClosed depends on
		// when Close retires the mapping; it must return.
		readBatchWithin(t, context.Background(), c, 100)
	})
}
