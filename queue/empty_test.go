package queue_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/queue"
)

// Empty messages go through a queue as messages of length 0.
func TestEmptyMessages(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 4, MaxMessage: 16})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := q.Producer()
	c, _ := q.Consumer()
	for _, m := range []string{"", "a", ""} {
		if err := p.Write([]byte(m)); err != nil {
			t.Fatalf("Write(%q) = %v", m, err)
		}
	}
	buf := make([]byte, 16)
	for _, want := range []string{"", "a", ""} {
		n, err := c.ReadContext(context.Background(), buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("Read = %q, %v; want %q", buf[:n], err, want)
		}
	}
}
