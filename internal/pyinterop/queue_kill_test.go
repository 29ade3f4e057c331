//go:build linux

package pyinterop_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
)

// A Python producer SIGKILLed after its 5,001st put: a Go consumer takes
// those 5,001 messages, whole and in order, then the end of the queue (a
// dead producer counts as closed).
func TestQueuePythonProducerKilled(t *testing.T) {
	q, name := newQueue(t)
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	py := startPy(t, "queue-produce", name, "0", "1000000", "1", "5000")
	py.expect("ready")
	py.send("go")
	res := make(chan checker, 1)
	go func() {
		ck := checker{t: t}
		buf := make([]byte, 64)
		for {
			n, err := c.ReadContext(context.Background(), buf)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("after %d messages: %v, want io.EOF", ck.n, err)
				}
				res <- ck
				return
			}
			if !ck.add(buf[:n]) {
				res <- ck
				return
			}
		}
	}()
	py.expect("at")
	py.kill()
	if ck := <-res; ck.n != 5001 {
		t.Fatalf("took %d messages, want the 5,001 put before the death", ck.n)
	}
}

// A Go producer SIGKILLed holding a claimed, half-written slot: the
// Python consumer settles the dead claim (a skip, never a partial
// message), takes every committed message, then sees the end.
func TestQueueGoProducerKilledMidPut(t *testing.T) {
	q, name := newQueue(t)
	py := startPy(t, "queue-consume", name)
	py.expect("ready")
	py.send("go")
	const killAt = 3000
	p := testutil.StartEnv(t, []string{failpoint.EnvVar + "=queue/claimed=kill@" + strconv.Itoa(killAt)}, "queue-produce")
	p.Send(name)
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("the Go producer ended by %v, not at its failpoint: %s", sig, p.Stderr())
	}
	n, _, _ := pyDone(t, py)
	if n != killAt-1 {
		t.Fatalf("python took %d messages, want the %d committed before the death", n, killAt-1)
	}
	if st := q.State(); st.Counters.Skipped != 1 {
		t.Fatalf("queue state %+v: want the dead claim skipped once", st)
	}
}

func init() {
	testutil.Child("queue-produce", func([]string) error {
		q, err := queue.Open(testutil.Recv(), nil)
		if err != nil {
			return err
		}
		p, err := q.Producer()
		if err != nil {
			return err
		}
		var buf []byte
		for i := 0; ; i++ {
			buf = message(buf, i)
			if err := p.Write(buf); err != nil {
				return err
			}
		}
	})
}
