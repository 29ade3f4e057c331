package ringbuf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// Errors name the ring they came from, as shm's name the segment; a
// second producer in the same process is told that this process holds
// the role, not that some pid (its own) does.
func TestErrorsNameTheRing(t *testing.T) {
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 4096, MaxMessage: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer r.Close()
	p, _ := r.Producer()
	defer p.Close()
	err = p.Write(make([]byte, 101))
	if !errors.Is(err, ringbuf.ErrTooLarge) || !strings.Contains(err.Error(), name) {
		t.Errorf("Write too large = %v, want ErrTooLarge naming %s", err, name)
	}
	_, err = r.Producer()
	if !errors.Is(err, ringbuf.ErrBusy) || !strings.Contains(err.Error(), "this process already holds") || !strings.Contains(err.Error(), name) {
		t.Errorf("second Producer in one process = %v, want ErrBusy saying this process holds it, naming %s", err, name)
	}
	if strings.Count(err.Error(), "ringbuf:") != 1 {
		t.Errorf("error %q repeats its prefix", err)
	}
}

// The same for a queue.
func TestErrorsNameTheQueue(t *testing.T) {
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 4, MaxMessage: 8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer q.Close()
	p, _ := q.Producer()
	defer p.Close()
	err = p.Write(make([]byte, 9))
	if !errors.Is(err, queue.ErrTooLarge) || !strings.Contains(err.Error(), name) || strings.Count(err.Error(), "queue:") != 1 {
		t.Errorf("Write too large = %v, want ErrTooLarge naming %s once", err, name)
	}
}
