package ringbuf_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/ringbuf"
)

// Empty messages are messages: Write of none, and a reservation of 0
// committed, each arrive as one message of length 0, in order with the
// others, as a datagram socket or Python's Queue carries them. CommitN(0)
// still cancels a reservation.
func TestEmptyMessages(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 100})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Producer()
	c, _ := r.Consumer()
	if err := p.Write(nil); err != nil {
		t.Fatalf("Write(nil) = %v", err)
	}
	p.Write([]byte("x"))
	if _, err := p.TryReserve(0); err != nil {
		t.Fatalf("TryReserve(0) = %v", err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	p.TryReserve(5)
	p.CommitN(0) // cancelled: not a message
	p.Write([]byte{})
	var got []string
	for range 4 {
		msg, err := c.TryNext()
		if err != nil {
			t.Fatalf("TryNext after %q = %v", got, err)
		}
		got = append(got, string(msg))
	}
	if want := []string{"", "x", "", ""}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("messages %q, want %q", got, want)
	}
	if _, err := c.TryNext(); err != ringbuf.ErrEmpty {
		t.Fatalf("TryNext past the end = %v, want ErrEmpty (the cancelled reservation is no message)", err)
	}
	p.Write(nil)
	n, err := c.ReadContext(context.Background(), make([]byte, 10))
	if n != 0 || err != nil {
		t.Fatalf("ReadContext of an empty message = %d, %v; want 0, nil", n, err)
	}
}
