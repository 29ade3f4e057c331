package queue_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/queue"
)

// The per-message calls allocate nothing.
func TestAllocs(t *testing.T) {
	q, err := queue.New(queue.Config{Slots: 64, MaxMessage: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	p, _ := q.Producer()
	c, _ := q.Consumer()
	defer p.Close()
	defer c.Close()
	ctx := context.Background()
	msg, buf := make([]byte, 64), make([]byte, 64)
	batch := [][]byte{msg, msg, msg, msg}
	calls := map[string]func() error{
		"TryWrite+TryRead": func() error {
			if err := p.TryWrite(msg); err != nil {
				return err
			}
			_, err := c.TryRead(buf)
			return err
		},
		"Write+Read": func() error {
			if err := p.Write(msg); err != nil {
				return err
			}
			_, err := c.Read(buf)
			return err
		},
		"WriteContext+ReadContext": func() error {
			if err := p.WriteContext(ctx, msg); err != nil {
				return err
			}
			_, err := c.ReadContext(ctx, buf)
			return err
		},
		"WriteBatch+Read": func() error {
			if _, err := p.WriteBatch(ctx, batch); err != nil {
				return err
			}
			for range batch {
				if _, err := c.Read(buf); err != nil {
					return err
				}
			}
			return nil
		},
		"WriteBatch+ReadBatch": func() error {
			if _, err := p.WriteBatch(ctx, batch); err != nil {
				return err
			}
			_, err := c.ReadBatch(ctx, len(batch), func(m []byte) error { copy(buf, m); return nil })
			return err
		},
		"TryRead empty": func() error {
			if _, err := c.TryRead(buf); err != queue.ErrEmpty {
				return err
			}
			return nil
		},
	}
	for name, call := range calls {
		var err error
		if n := testing.AllocsPerRun(1000, func() { err = call() }); n != 0 || err != nil {
			t.Errorf("%s: %v allocations per call, error %v", name, n, err)
		}
	}
}
