package bench

import "context"

// ring-batch and queue-batch: a ring or queue link whose sender hands the
// producer a batch of messages at a time (WriteBatch); read like ring and
// queue.

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

// sendBatch writes msgs with one WriteBatch, which writes them all or
// fails (a dead peer is ErrPeerDead).
func (s ringBatchTx) sendBatch(msgs [][]byte) error {
	_, err := s.p.WriteBatch(context.Background(), msgs)
	return err
}

type queueBatchTx struct {
	queueTx
	n int // batchLen of the message size
}

func (s queueBatchTx) batchLen() int { return s.n }

// sendBatch writes msgs with one WriteBatch, which writes them all or
// fails.
func (s queueBatchTx) sendBatch(msgs [][]byte) error {
	_, err := s.p.WriteBatch(s.ctx, msgs)
	return err
}
