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
