package ringbuf_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func exampleName() string { return fmt.Sprintf("shmkit-example-%d", os.Getpid()) }

// A message ring: zero-copy on both sides. Normally the producer and the
// consumer are two processes that Create and Open the ring by name.
func Example() {
	name := exampleName()
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 16, MaxMessage: 1024}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer r.Close()
	p, _ := r.Producer()
	b, _ := p.Reserve(context.Background(), 5) // the ring's own bytes
	copy(b, "hello")
	p.Commit()
	p.Write([]byte("world")) // or copy
	p.Close()

	c, _ := r.Consumer()
	defer c.Close()
	for msg := range c.Messages(context.Background()) { // in place
		fmt.Println(string(msg))
	}
	fmt.Println(c.Err())
	// Output:
	// hello
	// world
	// <nil>
}

// A byte stream, Python's Pipe in one direction: io.Copy in, io.Copy out.
func ExampleCreateStream() {
	name := exampleName()
	r, err := ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: 1 << 16}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer r.Close()
	w, _ := r.Writer()
	go func() {
		io.Copy(w, strings.NewReader("a stream of bytes, in chunks of any size"))
		w.Close() // the reader gets io.EOF once it has read everything
	}()
	rd, _ := r.Reader()
	var out strings.Builder
	n, err := io.Copy(&out, rd)
	fmt.Println(n, err, out.String())
	// Output:
	// 40 <nil> a stream of bytes, in chunks of any size
}

// Small messages in batches: WriteBatch commits them together, so the
// consumer pays for one commit per batch (up to 4 KiB), not per message.
func ExampleProducer_WriteBatch() {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 16, MaxMessage: 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p, _ := r.Producer()
	ticks := [][]byte{[]byte("AAPL 189.3"), []byte("MSFT 411.2"), []byte("NVDA 131.9")}
	n, err := p.WriteBatch(context.Background(), ticks)
	fmt.Println(n, err)
	p.Close()

	c, _ := r.Consumer()
	c.ReadBatch(context.Background(), 10, func(msg []byte) error {
		fmt.Println(string(msg))
		return nil
	})
	// Output:
	// 3 <nil>
	// AAPL 189.3
	// MSFT 411.2
	// NVDA 131.9
}
