package queue_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/internal/failpoint"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func init() { testutil.Child("ring-produce", childRingProduce) }

// childRingProduce writes messages 0..args[1]-1 (the sequence number, 8
// bytes) to ring args[0] and closes it.
func childRingProduce(args []string) error {
	r, err := ringbuf.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer r.Close()
	p, err := r.Producer()
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(args[1])
	testutil.Send("ready")
	var msg [8]byte
	for seq := range n {
		binary.LittleEndian.PutUint64(msg[:], uint64(seq))
		if err := p.Write(msg[:]); err != nil {
			return err
		}
	}
	return p.Close()
}

// One Select over two rings and two queues, fed by producer processes of
// which one of each kind is SIGKILLed mid-stream: every message of the
// producers that lived arrives once and in order, the killed ring says
// ErrPeerDead after what its producer committed, the killed queue's
// consumer reaches io.EOF once its producer is found dead, and Select
// returns each source until all have ended.
func TestSelectRingsAndQueuesAcrossProcesses(t *testing.T) {
	const per, killAt = 3_000, 1_000
	var cs []ringbuf.Selectable
	type source struct {
		ring   *ringbuf.Consumer
		queue  *queue.Consumer
		next   int // next sequence number expected
		killed bool
		done   error
	}
	var srcs []*source
	for i := range 2 {
		name := testutil.Name(t) + "-r" + strconv.Itoa(i)
		r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 14, MaxMessage: 64}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer shm.Remove(name)
		defer r.Close()
		c, _ := r.Consumer()
		defer c.Close()
		var env []string
		if i == 0 {
			env = []string{failpoint.EnvVar + "=ringbuf/commit/before=kill@" + strconv.Itoa(killAt)}
		}
		p := testutil.StartEnv(t, env, "ring-produce", name, strconv.Itoa(per))
		p.Expect("ready")
		cs, srcs = append(cs, c), append(srcs, &source{ring: c, killed: i == 0})
	}
	for i := range 2 {
		name := testutil.Name(t) + "-q" + strconv.Itoa(i)
		q, err := queue.Create(name, queue.Config{Slots: 64, MaxMessage: 256}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer shm.Remove(name)
		defer q.Close()
		c, _ := q.Consumer()
		defer c.Close()
		var env []string
		if i == 0 {
			env = []string{failpoint.EnvVar + "=queue/claimed=kill@" + strconv.Itoa(killAt)}
		}
		p := testutil.StartEnv(t, env, "queue-produce", name, "0", strconv.Itoa(per), "on-go")
		p.Expect("ready")
		p.Send("go")
		cs, srcs = append(cs, c), append(srcs, &source{queue: c, killed: i == 0})
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	buf, scratch := make([]byte, 256), make([]byte, 256)
	open := len(srcs)
	for open > 0 {
		var active []ringbuf.Selectable // an ended source stays ready: leave it out
		var index []int
		for i, s := range srcs {
			if s.done == nil {
				active, index = append(active, cs[i]), append(index, i)
			}
		}
		j, err := ringbuf.Select(ctx, active...)
		if err != nil {
			t.Fatalf("Select with %d sources open = %v", open, err)
		}
		i := index[j]
		s := srcs[i]
		var seq int
		if s.ring != nil {
			msg, err := s.ring.TryNext()
			switch {
			case err == ringbuf.ErrEmpty:
				msg, err = s.ring.Next(ctx) // ready for the end or a death: Next says which
			}
			if err != nil {
				s.done, open = err, open-1
				continue
			}
			seq = int(binary.LittleEndian.Uint64(msg))
		} else {
			n, err := s.queue.TryRead(buf)
			if err == queue.ErrEmpty {
				n, err = s.queue.ReadContext(ctx, buf) // ready for the end: the read says so
			}
			if err != nil {
				s.done, open = err, open-1
				continue
			}
			_, qs, err := qCheck(buf[:n], scratch)
			if err != nil {
				t.Fatal(err)
			}
			seq = qs
		}
		if seq != s.next {
			t.Fatalf("source %d: message %d, want %d", i, seq, s.next)
		}
		s.next++
	}
	for i, s := range srcs {
		wantN, wantErr := per, error(io.EOF)
		if s.killed {
			wantN = killAt - 1
			if s.ring != nil {
				wantErr = ringbuf.ErrPeerDead
			}
		}
		if s.next != wantN || !errors.Is(s.done, wantErr) {
			t.Errorf("source %d: %d messages, then %v; want %d, then %v", i, s.next, s.done, wantN, wantErr)
		}
	}
}
