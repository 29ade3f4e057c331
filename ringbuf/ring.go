package ringbuf

import (
	"fmt"
	"math/bits"

	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
)

// Kind is the segment kind of a message ring, StreamKind that of a ring
// made to carry a byte stream, and KindVersion their layout (the same).
const (
	Kind        = "ring"
	StreamKind  = "stream"
	KindVersion = 1
)

// Ring is a single-producer, single-consumer message ring in shared
// memory, or in ordinary memory (New). One process at a time may be its
// producer and one its consumer; they attach with Producer and Consumer.
type Ring struct {
	seg      *shm.Segment // nil for a heap ring
	geo      geometry     // private copy, never re-read
	mask     uint64
	data     []byte
	prod     *side
	cons     *side
	prodFlag *flags
	consFlag *flags
}

// Create makes a ring segment called name with capacity bytes of data (a
// power of two, at least MinCapacity) for messages of up to maxMsg bytes
// (at most capacity/4 - 8).
func Create(name string, capacity, maxMsg int, opts *shm.Options) (*Ring, error) {
	return create(Kind, name, capacity, maxMsg, opts)
}

// CreateStream makes a segment called name for a byte stream
// (StreamWriter and StreamReader): a ring of kind StreamKind with capacity
// bytes of data, whose messages are the largest the capacity allows.
func CreateStream(name string, capacity int, opts *shm.Options) (*Ring, error) {
	if capacity < MinCapacity {
		return nil, fmt.Errorf("ringbuf: create %s: %w: capacity %d, at least %d", name, shm.ErrInvalidSize, capacity, MinCapacity)
	}
	return create(StreamKind, name, capacity, int(maxMsgFor(uint64(capacity))), opts)
}

func create(kind, name string, capacity, maxMsg int, opts *shm.Options) (*Ring, error) {
	g, err := newGeometry(capacity, maxMsg)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: create %s: %w", name, err)
	}
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = kind, KindVersion
	o.Init = func(payload []byte) error {
		*lineAt[geometry](payload[offGeometry:]) = g
		return nil
	}
	seg, err := shm.Create(name, int64(dataOffset+g.capacity), &o)
	if err != nil {
		return nil, err
	}
	r, err := attach(seg.Payload())
	if err != nil {
		seg.Close()
		return nil, err
	}
	r.seg = seg
	return r, nil
}

// Open opens the ring segment called name.
func Open(name string, opts *shm.Options) (*Ring, error) { return open(Kind, name, opts) }

// OpenStream opens the stream segment called name.
func OpenStream(name string, opts *shm.Options) (*Ring, error) { return open(StreamKind, name, opts) }

func open(kind, name string, opts *shm.Options) (*Ring, error) {
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = kind, KindVersion
	seg, err := shm.Open(name, &o)
	if err != nil {
		return nil, err
	}
	r, err := attach(seg.Payload())
	if err != nil {
		seg.Close()
		return nil, fmt.Errorf("ringbuf: open %s: %w", name, err)
	}
	r.seg = seg
	return r, nil
}

// New makes a ring over ordinary memory, for goroutines of one process:
// the same code as a shared ring, which the race detector can watch.
func New(capacity, maxMsg int) (*Ring, error) {
	g, err := newGeometry(capacity, maxMsg)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: new: %w", err)
	}
	mem := heapMemory(int(dataOffset + g.capacity))
	*lineAt[geometry](mem[offGeometry:]) = g
	return attach(mem)
}

func newGeometry(capacity, maxMsg int) (geometry, error) {
	if capacity < MinCapacity || uint64(capacity) > MaxCapacity || bits.OnesCount(uint(capacity)) != 1 {
		return geometry{}, fmt.Errorf("%w: capacity %d must be a power of two in [%d, %d]", shm.ErrInvalidSize, capacity, MinCapacity, uint64(MaxCapacity))
	}
	if maxMsg <= 0 || uint64(maxMsg) > maxMsgFor(uint64(capacity)) {
		return geometry{}, fmt.Errorf("%w: max message %d must be in [1, %d] for capacity %d", shm.ErrInvalidSize, maxMsg, maxMsgFor(uint64(capacity)), capacity)
	}
	return geometry{magic: geometryMagic, version: 1, capacity: uint64(capacity), maxMsg: uint64(maxMsg)}, nil
}

// attach validates the geometry line of mem, a whole payload, copies it
// into private memory, and builds the views.
func attach(mem []byte) (*Ring, error) {
	if len(mem) < dataOffset+MinCapacity {
		return nil, fmt.Errorf("%w: payload of %d bytes", ErrCorrupt, len(mem))
	}
	g := *lineAt[geometry](mem[offGeometry:]) // read once
	if err := checkGeometry(g, len(mem)); err != nil {
		return nil, err
	}
	return &Ring{
		geo:      g,
		mask:     g.capacity - 1,
		data:     mem[dataOffset : dataOffset+g.capacity],
		prod:     lineAt[side](mem[offProducer:]),
		cons:     lineAt[side](mem[offConsumer:]),
		prodFlag: lineAt[flags](mem[offProducerFlags:]),
		consFlag: lineAt[flags](mem[offConsumerFlags:]),
	}, nil
}

// Capacity returns the bytes of the data area.
func (r *Ring) Capacity() int { return int(r.geo.capacity) }

// MaxMessage returns the longest message the ring takes.
func (r *Ring) MaxMessage() int { return int(r.geo.maxMsg) }

// Segment returns the ring's segment, or nil for a heap ring.
func (r *Ring) Segment() *shm.Segment { return r.seg }

// Close unmaps a shared ring. Close the Producer and Consumer first.
func (r *Ring) Close() error {
	if r.seg == nil {
		return nil
	}
	return r.seg.Close()
}

// claim makes this process the owner of s, unless a live process is.
func claim(s *side) (live.Token, error) {
	me, err := live.Self()
	if err != nil {
		return 0, err
	}
	for {
		t := live.Token(s.owner.Load())
		if t != 0 && (t == me || live.Alive(t)) {
			return 0, fmt.Errorf("%w (pid %d)", ErrBusy, live.PID(t))
		}
		if s.owner.CompareAndSwap(uint64(t), uint64(me)) {
			return me, nil
		}
	}
}

// StateOf returns the state of the ring in seg, a ring segment opened by
// shm.Open, read-only or not: for observers such as shmtool.
func StateOf(seg *shm.Segment) (State, error) {
	if !isRing(seg) {
		return State{}, fmt.Errorf("ringbuf: %s is a %q segment, not a ring", seg.Name(), seg.Kind())
	}
	r, err := attach(seg.Payload())
	if err != nil {
		return State{}, fmt.Errorf("ringbuf: %s: %w", seg.Name(), err)
	}
	return r.State(), nil
}

// State is a snapshot of a ring, for observers such as shmtool.
type State struct {
	Capacity      uint64 `json:"capacity"`
	MaxMessage    uint64 `json:"max_message"`
	Used          uint64 `json:"used"`
	ProducerPos   uint64 `json:"producer_pos"`
	ConsumerPos   uint64 `json:"consumer_pos"`
	ProducerPID   int    `json:"producer_pid"`
	ConsumerPID   int    `json:"consumer_pid"`
	ProducerAlive bool   `json:"producer_alive"`
	ConsumerAlive bool   `json:"consumer_alive"`
	ProducerWait  bool   `json:"producer_parked"`
	ConsumerWait  bool   `json:"consumer_parked"`
	Counters      struct {
		Produced Counters `json:"produced"`
		Consumed Counters `json:"consumed"`
	} `json:"counters"`
}

// State returns a snapshot of r; it only reads r.
func (r *Ring) State() State {
	p, c := r.prod.pos.Load(), r.cons.pos.Load()
	st := State{Capacity: r.geo.capacity, MaxMessage: r.geo.maxMsg, ProducerPos: p, ConsumerPos: c,
		ProducerWait: r.prodFlag.parked.Load() == 1, ConsumerWait: r.consFlag.parked.Load() == 1}
	st.Counters.Produced, st.Counters.Consumed = r.prod.counters(), r.cons.counters()
	if p >= c && p-c <= r.geo.capacity {
		st.Used = p - c
	}
	if t := live.Token(r.prod.owner.Load()); t != 0 {
		st.ProducerPID, st.ProducerAlive = live.PID(t), live.Alive(t)
	}
	if t := live.Token(r.cons.owner.Load()); t != 0 {
		st.ConsumerPID, st.ConsumerAlive = live.PID(t), live.Alive(t)
	}
	return st
}

// isRing reports whether seg holds a ring: a message ring or a stream.
func isRing(seg *shm.Segment) bool { return seg.Kind() == Kind || seg.Kind() == StreamKind }
