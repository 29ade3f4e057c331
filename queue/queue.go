package queue

import (
	"fmt"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
)

// Kind is the segment kind of a queue, and KindVersion its layout.
const (
	Kind        = "queue"
	KindVersion = 6 // 2: parked peers are bits, no longer a count; 3: end of stream and task counts; 4: the producers' roster lock; 5: a consumer's claim covers a span of slots (ReadBatch); 6: producers commit with plain stores, and a parking consumer fences them (relax.go)
)

// Queue is a queue for many producers and many consumers in shared memory
// (or in this process's memory, New): Python's multiprocessing.Queue.
// Every message is delivered to exactly one consumer. Processes attach
// with Producer and Consumer, as many of each as they like, up to
// MaxPeers of each at once.
//
// A Queue's methods are safe for concurrent use. Close wakes the
// goroutines of this process parked in its producers' and consumers'
// calls, which return os.ErrClosed, and waits until none is inside the
// mapping before it unmaps.
type Queue struct {
	seg      *shm.Segment
	gate     gate.Gate
	geo      geometry // private copy, never re-read
	mask     uint64
	data     []byte // the slot area (slot_unsafe.go addresses its words)
	tail     *atomic.Uint64
	head     *atomic.Uint64
	prodWait *waitLine
	consWait *waitLine
	produced *counters
	consumed *counters
	recov    *recovered
	prods    *[MaxPeers]peerLine
	conss    *[MaxPeers]peerLine
}

// peerLine is a peer padded to its own cache line.
type peerLine struct {
	peer
	_ [peerSize - 32]byte
}

// Create makes a queue segment called name with the geometry of cfg.
func Create(name string, cfg Config, opts *shm.Options) (*Queue, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: create %s: %w", name, err)
	}
	seg, err := shm.Create(name, g.payloadSize(), options(opts, &g))
	if err != nil {
		return nil, err
	}
	return attach(seg)
}

// Open opens the queue segment called name.
func Open(name string, opts *shm.Options) (*Queue, error) {
	seg, err := shm.Open(name, options(opts, nil))
	if err != nil {
		return nil, err
	}
	return attach(seg)
}

// OpenOrCreate opens the queue called name, creating it with the geometry
// of cfg if it does not exist; created reports which. An existing queue of
// another geometry fails with shm.ErrIncompatible.
func OpenOrCreate(name string, cfg Config, opts *shm.Options) (q *Queue, created bool, err error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, false, fmt.Errorf("queue: open or create %s: %w", name, err)
	}
	seg, created, err := shm.OpenOrCreate(name, g.payloadSize(), options(opts, &g))
	if err != nil {
		return nil, false, err
	}
	if q, err = attach(seg); err != nil {
		return nil, false, err
	}
	if q.geo.slots != g.slots || q.geo.maxMsg != g.maxMsg {
		q.Close()
		return nil, false, fmt.Errorf("queue: open %s: %w: it has %d slots of %d bytes, want %d of %d",
			name, shm.ErrIncompatible, q.geo.slots, q.geo.maxMsg, g.slots, g.maxMsg)
	}
	return q, created, nil
}

// New makes a queue in this process's memory, for its goroutines: the same
// code as a shared queue, which the race detector can watch.
func New(cfg Config) (*Queue, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: new: %w", err)
	}
	seg, err := shm.NewLocal(g.payloadSize())
	if err != nil {
		return nil, err
	}
	if err := initQueue(seg, g); err != nil {
		return nil, err
	}
	return attach(seg)
}

// options fills in the kind, and for a creator (g not nil) the
// initialization of the payload.
func options(opts *shm.Options, g *geometry) *shm.Options {
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = Kind, KindVersion
	if g != nil {
		o.Init = func(seg *shm.Segment) error { return initQueue(seg, *g) }
	}
	return &o
}

// initQueue writes the geometry and gives slot i the sequence number i:
// free for the producer of position i.
func initQueue(seg *shm.Segment, g geometry) error {
	geo, err := shm.View[geometry](seg, offGeometry)
	if err != nil {
		return err
	}
	*geo = g
	seqs, err := shm.ViewSlice[atomic.Uint64](seg, dataOffset, int(g.slots*g.stride/8))
	if err != nil {
		return err
	}
	for i := range g.slots {
		seqs[i*g.stride/8].Store(i)
	}
	return nil
}

// attach validates the geometry line of seg's payload, copies it into
// private memory, and builds the views. It closes seg if it fails.
func attach(seg *shm.Segment) (*Queue, error) {
	q, err := view(seg)
	if err != nil {
		seg.Close()
		return nil, err
	}
	q.gate.OnClose(func() {
		q.prodWait.rouse()
		q.consWait.rouse()
		q.recov.joinSeq.Add(1) // Join waits through the gate's context; this is for a wait already in the kernel
		_, _ = futex.Wake(&q.recov.joinSeq, futex.All)
	})
	q.gate.OnRetire(q.seg.Retire)
	return q, nil
}

// view builds a Queue over seg, which it does not close.
func view(seg *shm.Segment) (*Queue, error) {
	bad := func(err error) (*Queue, error) { return nil, fmt.Errorf("queue: %s: %w", seg.Name(), err) }
	if len(seg.Payload()) < dataOffset {
		return bad(fmt.Errorf("%w: payload of %d bytes", ErrCorrupt, len(seg.Payload())))
	}
	geo, err := shm.View[geometry](seg, offGeometry)
	if err != nil {
		return bad(err)
	}
	g := *geo // read once
	if err := checkGeometry(g, len(seg.Payload())); err != nil {
		return bad(err)
	}
	q := &Queue{seg: seg, geo: g, mask: g.slots - 1, data: seg.Payload()[dataOffset:]}
	var words []atomic.Uint64 // not kept: it checks that the slot area is aligned for them
	errs := []error{
		viewInto(&words, seg, dataOffset, int(g.slots*g.stride/8)),
		viewOne(&q.tail, seg, offTail),
		viewOne(&q.head, seg, offHead),
		viewOne(&q.prodWait, seg, offProdWait),
		viewOne(&q.consWait, seg, offConsWait),
		viewOne(&q.produced, seg, offProduced),
		viewOne(&q.consumed, seg, offConsumed),
		viewOne(&q.recov, seg, offRecovered),
		viewOne(&q.prods, seg, offProducers),
		viewOne(&q.conss, seg, offConsumers),
	}
	for _, err := range errs {
		if err != nil {
			return bad(err)
		}
	}
	return q, nil
}

func viewOne[T any](dst **T, seg *shm.Segment, off int) (err error) {
	*dst, err = shm.View[T](seg, off)
	return err
}

func viewInto[T any](dst *[]T, seg *shm.Segment, off, n int) (err error) {
	*dst, err = shm.ViewSlice[T](seg, off, n)
	return err
}

// Slots returns how many messages the queue holds.
func (q *Queue) Slots() int { return int(q.geo.slots) }

// MaxMessage returns the longest message the queue takes.
func (q *Queue) MaxMessage() int { return int(q.geo.maxMsg) }

// Segment returns the queue's segment (a local one for New).
func (q *Queue) Segment() *shm.Segment { return q.seg }

// Close wakes this process's goroutines parked in Read or Write on q's
// producers and consumers, which return os.ErrClosed, as every later call
// on them does, and unmaps the queue. With producers or consumers of this
// process still open it lets the file go at once but keeps the address
// range, as private zeroed memory, until the last of them is closed, as
// Ring.Close does. Close them first to give their entries back. It does
// not remove the segment; see shm.Remove. Close is idempotent.
func (q *Queue) Close() error { return q.gate.Close(q.seg.Close) }

// Inspect returns the state of the queue in seg, a queue segment opened
// by shm.Open, read-only or not: for observers such as shmtool.
func Inspect(seg *shm.Segment) (State, error) {
	if seg.Kind() != Kind {
		return State{}, fmt.Errorf("queue: %s is a %q segment, not a queue", seg.Name(), seg.Kind())
	}
	q, err := view(seg)
	if err != nil {
		return State{}, err
	}
	return q.State(), nil
}

// Inspector returns the queue kind's shm.Inspector, whose Inspect returns
// a State.
func Inspector() shm.Inspector { return inspector{} }

type inspector struct{}

func (inspector) Kind() string                          { return Kind }
func (inspector) Inspect(seg *shm.Segment) (any, error) { return Inspect(seg) }

// State is a snapshot of a queue, for observers such as shmtool.
// The pid lists name the attached producers and consumers, alive or
// dead-but-not-yet-replaced, in table order.
type State struct {
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
	// RelaxedProducers is how many producers commit with plain stores,
	// which a parking consumer fences with a barrier; FencingConsumers how
	// many consumers (those that wait with Block) ask them not to. A peer
	// killed while counted stays counted until a peer settles its entry.
	// One killed between two steps of counting itself in or out can leave
	// a count one too high for the queue's life: that costs barriers or
	// fences, never a wake-up.
	RelaxedProducers uint32 `json:"relaxed_producers"`
	FencingConsumers uint32 `json:"fencing_consumers"`
	Counters         struct {
		Produced Counters `json:"produced"`
		Consumed Counters `json:"consumed"`
		Skipped  uint64   `json:"skipped"` // slots dead producers claimed, passed over
		Dropped  uint64   `json:"dropped"` // messages dead consumers took, lost
	} `json:"counters"`
}

// State returns a snapshot of q; it only reads q. The positions are
// exact; the counters lag by up to 64 messages per attached peer, which
// publishes its counts in batches (and when it waits or closes).
func (q *Queue) State() State {
	h, t := q.head.Load(), q.tail.Load()
	st := State{Capacity: q.geo.slots, MaxMessage: q.geo.maxMsg, Head: h, Tail: t,
		ProducersParked: q.prodWait.numParked(), ConsumersParked: q.consWait.numParked(),
		RelaxedProducers: q.prodWait.count.Load(), FencingConsumers: q.consWait.count.Load(),
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
