package bench

import (
	"context"

	"github.com/shmkit/shmkit/ringbuf"
)

// TEMPORARY: stands in for (*ringbuf.Producer).WriteBatch until it lands
// on main; then sendBatch calls it and this file goes.
func writeBatch(ctx context.Context, p *ringbuf.Producer, msgs [][]byte) (int, error) {
	for i, m := range msgs {
		if err := p.WriteContext(ctx, m); err != nil {
			return i, err
		}
	}
	return len(msgs), nil
}
