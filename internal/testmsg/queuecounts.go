package testmsg

import (
	"fmt"

	"github.com/shmkit/shmkit/internal/spin"
	"github.com/shmkit/shmkit/queue"
)

// Relaxed is what a queue's RelaxedProducers shows for one producer of
// this process that has committed while no consumer asked for fences: 1
// where it commits plainly (no race detector, membarrier there), else 0.
func Relaxed() uint32 {
	if spin.CanRelax() {
		return 1
	}
	return 0
}

// QueueCounts is q's relaxed and fencing counts, as the tests compare them.
func QueueCounts(q *queue.Queue) string {
	st := q.State()
	return fmt.Sprintf("relaxed %d, fencing %d", st.RelaxedProducers, st.FencingConsumers)
}

// CountPeers is what the tests' children do before they are killed
// counted: it attaches a producer to queue name that commits msg (and so
// counts itself relaxed, where it can) and, if blockConsumer, a consumer
// that waits with Block (and so counts itself fencing). The queue and
// its peers stay open until the process dies.
func CountPeers(name string, msg []byte, blockConsumer bool) error {
	q, err := queue.Open(name, nil)
	if err != nil {
		return err
	}
	p, err := q.Producer()
	if err != nil {
		return err
	}
	if err := p.Write(msg); err != nil {
		return err
	}
	if blockConsumer {
		c, err := q.Consumer()
		if err != nil {
			return err
		}
		c.SetWait(queue.Block)
	}
	return nil
}
