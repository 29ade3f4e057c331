package queue_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

func init() { testutil.Child("queue-bench-read", childQueueBenchRead) }

// childQueueBenchRead reads args[1] messages from queue args[0], spinning,
// checks that each carries the next sequence number, and says "done".
func childQueueBenchRead(args []string) error {
	q, err := queue.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer q.Close()
	c, err := q.Consumer()
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetWait(queue.Spin)
	n, _ := strconv.Atoi(args[1])
	testutil.Send("ready")
	buf := make([]byte, q.MaxMessage())
	for i := range n {
		k, err := c.Read(buf)
		if err != nil {
			return err
		}
		if got := binary.LittleEndian.Uint64(buf[:k]); got != uint64(i) {
			return fmt.Errorf("message %d arrived as number %d", i, got)
		}
	}
	testutil.Send("done")
	return nil
}

// BenchmarkQueueProc is one message from this process to a consumer
// process, both spinning, written one at a time or 16 at a time
// (WriteBatch): the cost of a message when its cache lines move between
// cores.
func BenchmarkQueueProc(b *testing.B) {
	run := func(b *testing.B, size, batch int) {
		name := testutil.Name(b)
		q, err := queue.Create(name, queue.Config{Slots: 1024, MaxMessage: size}, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer shm.Remove(name)
		defer q.Close()
		p, _ := q.Producer()
		defer p.Close()
		p.SetWait(queue.Spin)
		c := testutil.Start(b, "queue-bench-read", name, strconv.Itoa(b.N))
		c.Expect("ready")
		msgs := make([][]byte, batch)
		for i := range msgs {
			msgs[i] = make([]byte, size)
		}
		ctx := context.Background()
		b.SetBytes(int64(size))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i += batch {
			k := min(batch, b.N-i)
			for j := range k {
				binary.LittleEndian.PutUint64(msgs[j], uint64(i+j))
			}
			var err error
			if batch == 1 {
				err = p.Write(msgs[0])
			} else {
				_, err = p.WriteBatch(ctx, msgs[:k])
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		c.Expect("done")
		b.StopTimer()
		c.Wait()
	}
	for _, size := range benchSizes {
		b.Run(fmt.Sprint(size), func(b *testing.B) { run(b, size, 1) })
		b.Run(fmt.Sprint(size, "/batch16"), func(b *testing.B) { run(b, size, 16) })
	}
}
