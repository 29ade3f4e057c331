package ringbuf

import (
	"fmt"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
)

// QueueKind is the segment kind of a queue, and QueueKindVersion its
// layout.
const (
	QueueKind        = "queue"
	QueueKindVersion = 2 // 2: parked peers are bits, no longer a count
)

// Queue is a queue for many producers and many consumers in shared memory
// (or in ordinary memory, NewQueue): Python's multiprocessing.Queue. Every
// message is delivered to exactly one consumer. Processes attach with
// Producer and Consumer, as many of each as they like, up to
// MaxQueuePeers of each at once.
type Queue struct {
	seg      *shm.Segment // nil for a heap queue
	geo      qGeometry    // private copy, never re-read
	mask     uint64
	data     []byte
	tail     *atomic.Uint64
	head     *atomic.Uint64
	prodWait *qWait
	consWait *qWait
	produced *qCounters
	consumed *qCounters
	recov    *qRecovered
	prods    *[MaxQueuePeers]qPeerLine
	conss    *[MaxQueuePeers]qPeerLine
}

// qPeerLine is a qPeer padded to its own cache line.
type qPeerLine struct {
	qPeer
	_ [qPeerSize - 16]byte
}

// CreateQueue makes a queue segment called name.
func CreateQueue(name string, cfg QueueConfig, opts *shm.Options) (*Queue, error) {
	g, err := newQGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: create %s: %w", name, err)
	}
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = QueueKind, QueueKindVersion
	o.Init = func(payload []byte) error { initQueue(payload, g); return nil }
	seg, err := shm.Create(name, int64(qDataOffset+g.slots*g.stride), &o)
	if err != nil {
		return nil, err
	}
	q, err := attachQueue(seg.Payload())
	if err != nil {
		seg.Close()
		return nil, err
	}
	q.seg = seg
	return q, nil
}

// OpenQueue opens the queue segment called name.
func OpenQueue(name string, opts *shm.Options) (*Queue, error) {
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = QueueKind, QueueKindVersion
	seg, err := shm.Open(name, &o)
	if err != nil {
		return nil, err
	}
	q, err := attachQueue(seg.Payload())
	if err != nil {
		seg.Close()
		return nil, fmt.Errorf("ringbuf: open %s: %w", name, err)
	}
	q.seg = seg
	return q, nil
}

// NewQueue makes a queue over ordinary memory, for goroutines of one
// process: the same code as a shared queue, which the race detector can
// watch.
func NewQueue(cfg QueueConfig) (*Queue, error) {
	g, err := newQGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: new queue: %w", err)
	}
	mem := heapMemory(int(qDataOffset + g.slots*g.stride))
	initQueue(mem, g)
	return attachQueue(mem)
}

// initQueue writes the geometry and gives slot i the sequence number i:
// free for the producer of position i.
func initQueue(mem []byte, g qGeometry) {
	*lineAt[qGeometry](mem[qOffGeometry:]) = g
	for i := range g.slots {
		lineAt[atomic.Uint64](mem[qDataOffset+i*g.stride:]).Store(i)
	}
}

// attachQueue validates the geometry line of mem, a whole payload, copies
// it into private memory, and builds the views.
func attachQueue(mem []byte) (*Queue, error) {
	if len(mem) < qDataOffset {
		return nil, fmt.Errorf("%w: payload of %d bytes", ErrCorrupt, len(mem))
	}
	g := *lineAt[qGeometry](mem[qOffGeometry:]) // read once
	if err := checkQGeometry(g, len(mem)); err != nil {
		return nil, err
	}
	return &Queue{
		geo:      g,
		mask:     g.slots - 1,
		data:     mem[qDataOffset:],
		tail:     lineAt[atomic.Uint64](mem[qOffTail:]),
		head:     lineAt[atomic.Uint64](mem[qOffHead:]),
		prodWait: lineAt[qWait](mem[qOffProdWait:]),
		consWait: lineAt[qWait](mem[qOffConsWait:]),
		produced: lineAt[qCounters](mem[qOffProduced:]),
		consumed: lineAt[qCounters](mem[qOffConsumed:]),
		recov:    lineAt[qRecovered](mem[qOffRecovered:]),
		prods:    lineAt[[MaxQueuePeers]qPeerLine](mem[qOffProducers:]),
		conss:    lineAt[[MaxQueuePeers]qPeerLine](mem[qOffConsumers:]),
	}, nil
}

// Slots returns how many messages the queue holds.
func (q *Queue) Slots() int { return int(q.geo.slots) }

// MaxMessage returns the longest message the queue takes.
func (q *Queue) MaxMessage() int { return int(q.geo.maxMsg) }

// Segment returns the queue's segment, or nil for a heap queue.
func (q *Queue) Segment() *shm.Segment { return q.seg }

// Close unmaps a shared queue. Close its producers and consumers first.
func (q *Queue) Close() error {
	if q.seg == nil {
		return nil
	}
	return q.seg.Close()
}

// seqAt returns the sequence word of the slot for position pos.
func (q *Queue) seqAt(pos uint64) *atomic.Uint64 {
	return lineAt[atomic.Uint64](q.data[(pos&q.mask)*q.geo.stride:])
}

// slotAt returns the slot for position pos, header included.
func (q *Queue) slotAt(pos uint64) []byte {
	off := (pos & q.mask) * q.geo.stride
	return q.data[off : off+q.geo.stride : off+q.geo.stride]
}

// QueueStateOf returns the state of the queue in seg, a queue segment
// opened by shm.Open, read-only or not: for observers such as shmtool.
func QueueStateOf(seg *shm.Segment) (QueueState, error) {
	if seg.Kind() != QueueKind {
		return QueueState{}, fmt.Errorf("ringbuf: %s is a %q segment, not a queue", seg.Name(), seg.Kind())
	}
	q, err := attachQueue(seg.Payload())
	if err != nil {
		return QueueState{}, fmt.Errorf("ringbuf: %s: %w", seg.Name(), err)
	}
	return q.State(), nil
}

// QueueState is a snapshot of a queue, for observers such as shmtool.
// The pid lists name the attached producers and consumers, alive or
// dead-but-not-yet-replaced, in table order.
type QueueState struct {
	Capacity        uint64 `json:"capacity"` // slots
	MaxMessage      uint64 `json:"max_message"`
	Used            uint64 `json:"used"` // slots claimed and not yet released
	Tail            uint64 `json:"producer_pos"`
	Head            uint64 `json:"consumer_pos"`
	ProducerPIDs    []int  `json:"producer_pid"`
	ConsumerPIDs    []int  `json:"consumer_pid"`
	ProducerAlive   []bool `json:"producer_alive"`
	ConsumerAlive   []bool `json:"consumer_alive"`
	ProducersParked uint32 `json:"producers_parked"`
	ConsumersParked uint32 `json:"consumers_parked"`
	Counters        struct {
		Produced Counters `json:"produced"`
		Consumed Counters `json:"consumed"`
		Skipped  uint64   `json:"skipped"` // slots dead producers claimed, passed over
		Dropped  uint64   `json:"dropped"` // messages dead consumers took, lost
	} `json:"counters"`
}

// State returns a snapshot of q; it only reads q.
func (q *Queue) State() QueueState {
	h, t := q.head.Load(), q.tail.Load()
	st := QueueState{Capacity: q.geo.slots, MaxMessage: q.geo.maxMsg, Head: h, Tail: t,
		ProducersParked: q.prodWait.numParked(), ConsumersParked: q.consWait.numParked(),
		ProducerPIDs: []int{}, ConsumerPIDs: []int{}, ProducerAlive: []bool{}, ConsumerAlive: []bool{}}
	if t >= h && t-h <= q.geo.slots {
		st.Used = t - h
	}
	st.Counters.Produced, st.Counters.Consumed = q.produced.counters(), q.consumed.counters()
	st.Counters.Skipped, st.Counters.Dropped = q.recov.skipped.Load(), q.recov.dropped.Load()
	for i := range q.prods {
		if tok := live.Token(q.prods[i].token.Load() &^ reclaimBit); tok != 0 {
			st.ProducerPIDs, st.ProducerAlive = append(st.ProducerPIDs, live.PID(tok)), append(st.ProducerAlive, live.Alive(tok))
		}
		if tok := live.Token(q.conss[i].token.Load() &^ reclaimBit); tok != 0 {
			st.ConsumerPIDs, st.ConsumerAlive = append(st.ConsumerPIDs, live.PID(tok)), append(st.ConsumerAlive, live.Alive(tok))
		}
	}
	return st
}
