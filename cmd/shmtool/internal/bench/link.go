package bench

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// A link joins the bench's two processes: tx carries this process's
// messages to the other, rx the other's to this one. The parent makes the
// resources (segments, descriptors) and tells the child how to find them:
// args for names, files for descriptors (fd 3, 4, ... in the child).
type link struct {
	tx     sender
	rx     receiver
	args   []string
	files  []*os.File
	closer func()
	// wakeups returns the futex wake-ups both ends have sent so far,
	// both ways (from shmkit's shared counters), or nil if they cannot
	// be known; wakesPerMsg is instead the figure fixed by the link's
	// design, where it has one (futex wakes once a message).
	wakeups     func() uint64
	wakesPerMsg float64
	// flush closes the link's ends (not the objects), which publishes
	// their counters: nothing is sent or received after it. nil: nothing
	// to do.
	flush func()
}

// flushEnds calls l.flush, if the link has one.
func (l *link) flushEnds() {
	if l.flush != nil {
		l.flush()
	}
}

// noWakeups is the count of a link that never wakes anyone: it spins.
func noWakeups() uint64 { return 0 }

// wakeCount returns the link's count of wake-ups so far, 0 if it has none.
func (l *link) wakeCount() uint64 {
	if l.wakeups == nil {
		return 0
	}
	return l.wakeups()
}

// wakeRate returns the wake-ups per message of a phase of msgs messages
// that began when wakeCount was from, or nil if it cannot be known.
func (l *link) wakeRate(from, msgs uint64) *float64 {
	switch {
	case l.wakesPerMsg > 0:
		return ptr(l.wakesPerMsg)
	case l.wakeups == nil || msgs == 0:
		return nil
	}
	return ptr(float64(l.wakeups()-from) / float64(msgs))
}

func ptr(v float64) *float64 { return &v }

type sender interface {
	send(msg []byte) error
}

// receiver returns the next message, possibly in place: valid until the
// next call.
type receiver interface {
	recv(buf []byte) ([]byte, error)
}

// batchReceiver is a receiver that can also hand over every message
// available at once.
type batchReceiver interface {
	recvBatch(fn func(msg []byte) error) error
}

// openLink makes (parent) or opens (child, from args) the link for a
// transport. ctx bounds the waits of links that take one (in the child,
// it ends when the parent hangs up).
func openLink(ctx context.Context, parent bool, transport, mode string, size int, args []string) (*link, error) {
	switch transport {
	case "ring", "stream", "ring-batch":
		return ringLink(parent, transport, mode, size, args)
	case "queue", "queue-batch":
		l, err := queueLink(ctx, parent, mode, size, args)
		if err == nil && transport == "queue-batch" {
			l.tx = queueBatchTx{l.tx.(queueTx), batchLen(size)}
		}
		return l, err
	case "pipe", "unix", "unixpacket":
		return fdLink(parent, transport, mode)
	case "limit", "futex":
		return turnLinkFor(parent, mode, size, args)
	case "floor":
		return floorLink(parent, size, capacityFor("floor", size), args)
	case "conn":
		return connLink(parent, mode, args)
	case "dict":
		return dictLink(parent, size, args)
	}
	return nil, fmt.Errorf("unknown transport %q", transport)
}

// linkSeq tells apart the segments of links made one after the other,
// or by concurrent Runs, in one process.
var linkSeq atomic.Int64

// segmentNames returns fresh names for the segments of one link.
func segmentNames(tags ...string) []string {
	n := linkSeq.Add(1)
	names := make([]string, len(tags))
	for i, tag := range tags {
		names[i] = fmt.Sprintf("shmtool-bench-%d-%d-%s", os.Getpid(), n, tag)
	}
	return names
}

// objectPair makes (parent, with create) or opens (child, with open, from
// args) one object each way, and returns the one this process writes, the
// one it reads, their names and how to close (and, in the parent,
// remove) them. The parent writes "fwd" and reads "back"; the child the
// other way.
func objectPair[T interface{ Close() error }](parent bool, args []string, create, open func(name string) (T, error)) (out, in T, names []string, cleanup func(), err error) {
	names = args
	if parent {
		names = segmentNames("fwd", "back")
	} else if len(names) != 2 {
		return out, in, nil, nil, fmt.Errorf("want two segment names, got %q", names)
	}
	var objs [2]T
	made := 0
	cleanup = func() {
		for i := range made {
			objs[i].Close()
			if parent {
				shm.Remove(names[i])
			}
		}
	}
	for i, name := range names {
		if parent {
			objs[i], err = create(name)
		} else {
			objs[i], err = open(name)
		}
		if err != nil {
			cleanup()
			return out, in, nil, nil, err
		}
		made++
	}
	if parent {
		return objs[0], objs[1], names, cleanup, nil
	}
	return objs[1], objs[0], names, cleanup, nil
}

// waitFor is the wait strategy of a bench mode.
func waitFor(mode string) ringbuf.Wait {
	if mode == "block" {
		return ringbuf.Block
	}
	return ringbuf.Spin
}

// rawSegment makes (parent) or opens (child, from args) the one raw
// segment of a floor or turn link, of size bytes for the parent, and
// returns it, its name and how to close (and, in the parent, remove) it.
// The child's is untrusted: its users check its size.
func rawSegment(parent bool, tag string, size int, args []string) (*shm.Segment, string, func(), error) {
	var seg *shm.Segment
	var err error
	var name string
	if parent {
		name = segmentNames(tag)[0]
		seg, err = shm.Create(name, size, nil)
	} else if len(args) == 1 {
		name = args[0]
		seg, err = shm.Open(name, &shm.Options{Kind: "raw"})
	} else {
		err = fmt.Errorf("want one segment name, got %q", args)
	}
	if err != nil {
		return nil, "", nil, err
	}
	closer := func() {
		seg.Close()
		if parent {
			shm.Remove(name)
		}
	}
	return seg, name, closer, nil
}
