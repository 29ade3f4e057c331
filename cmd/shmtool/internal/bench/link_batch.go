package bench

import (
	"context"
	"errors"
)

// ring-batch: a ring link whose sender hands the producer a batch of
// messages at a time (WriteBatch); read like ring.

// Batches of about maxBatchBytes, of at most maxBatchMsgs messages (the
// consumer's ReadBatch takes as many).
const maxBatchBytes, maxBatchMsgs = 4096, 256

// batchLen is how many messages of size bytes a batch holds.
func batchLen(size int) int { return min(maxBatchMsgs, max(1, maxBatchBytes/size)) }

// batchSender is a sender that also takes a batch of messages at once.
type batchSender interface {
	sender
	sendBatch(msgs [][]byte) error
	batchLen() int
}

type ringBatchTx struct {
	ringTx
	n int // batchLen of the message size
}

func (s ringBatchTx) batchLen() int { return s.n }

// sendBatch writes msgs with as few WriteBatch calls as it takes.
func (s ringBatchTx) sendBatch(msgs [][]byte) error {
	for len(msgs) > 0 {
		n, err := writeBatch(context.Background(), s.p, msgs) // a dead peer is ErrPeerDead
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("ring-batch: WriteBatch wrote nothing and said nothing")
		}
		msgs = msgs[n:]
	}
	return nil
}
