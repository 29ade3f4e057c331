package queue_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

func exampleName() string { return fmt.Sprintf("shmkit-example-%d", os.Getpid()) }

// A queue for many producers and consumers: each message goes to exactly
// one consumer. Normally producers and consumers are separate processes
// that Open (or OpenOrCreate) the queue by name.
func Example() {
	name := exampleName()
	q, err := queue.Create(name, queue.Config{Slots: 1024, MaxMessage: 256}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer q.Close()
	p, _ := q.Producer() // in any number of processes
	defer p.Close()
	for _, job := range []string{"resize a.png", "resize b.png"} {
		p.Write([]byte(job))
	}
	c, _ := q.Consumer() // in any number of processes
	defer c.Close()
	buf := make([]byte, q.MaxMessage())
	for range 2 {
		n, _ := c.Read(buf)
		fmt.Println(string(buf[:n]))
	}
	// Output:
	// resize a.png
	// resize b.png
}

// Processes that start in any order each call OpenOrCreate: one creates
// the queue, the others open it.
func ExampleOpenOrCreate() {
	name := exampleName()
	cfg := queue.Config{Slots: 64, MaxMessage: 128}
	q1, created1, err := queue.OpenOrCreate(name, cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer q1.Close()
	q2, created2, err := queue.OpenOrCreate(name, cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q2.Close()
	fmt.Println(created1, created2)
	// Output: true false
}

// A producer with several messages at hand writes them with one
// WriteBatch: each is still a message of its own, for any consumer.
func ExampleProducer_WriteBatch() {
	q, err := queue.New(queue.Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	p, _ := q.Producer()
	defer p.Close()
	jobs := [][]byte{[]byte("resize a.png"), []byte("resize b.png"), []byte("resize c.png")}
	n, err := p.WriteBatch(context.Background(), jobs)
	fmt.Println(n, err)
	c, _ := q.Consumer()
	defer c.Close()
	buf := make([]byte, q.MaxMessage())
	for range n {
		k, _ := c.Read(buf)
		fmt.Println(string(buf[:k]))
	}
	// Output:
	// 3 <nil>
	// resize a.png
	// resize b.png
	// resize c.png
}

// A consumer takes what is waiting with one ReadBatch, and sees each
// message in place.
func ExampleConsumer_ReadBatch() {
	q, err := queue.New(queue.Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	p, _ := q.Producer()
	defer p.Close()
	for _, job := range []string{"resize a.png", "resize b.png", "resize c.png"} {
		p.Write([]byte(job))
	}
	c, _ := q.Consumer()
	defer c.Close()
	n, err := c.ReadBatch(context.Background(), 16, func(msg []byte) error {
		fmt.Println(string(msg)) // msg is valid until this function returns
		return nil
	})
	fmt.Println(n, err)
	// Output:
	// resize a.png
	// resize b.png
	// resize c.png
	// 3 <nil>
}

// A consumer that reads for throughput lingers: its ReadBatch, once a
// message is there, waits up to 4µs for a full batch (here max, 4), and
// ends at once when one is claimed.
func ExampleConsumer_SetLinger() {
	q, err := queue.New(queue.Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	p, _ := q.Producer()
	defer p.Close()
	for i := range 6 {
		p.Write(fmt.Appendf(nil, "tick %d", i))
	}
	c, _ := q.Consumer()
	defer c.Close()
	c.SetLinger(4 * time.Microsecond)
	for range 2 {
		n, err := c.ReadBatch(context.Background(), 4, func(msg []byte) error { return nil })
		fmt.Println(n, err)
	}
	// Output:
	// 4 <nil>
	// 2 <nil>
}
