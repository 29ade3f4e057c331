package ringbuf

import (
	"fmt"
	"math/bits"
	"sync/atomic"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
)

// Kind is the segment kind of a message ring, StreamKind that of a ring
// made to carry a byte stream, and KindVersion their layout (the same).
const (
	Kind        = "ring"
	StreamKind  = "stream"
	KindVersion = 2
)

// Ring is a single-producer, single-consumer message ring in shared
// memory, or in this process's memory (New). One process at a time may be
// its producer and one its consumer; they attach with Producer and
// Consumer.
//
// A Ring's own methods are safe for concurrent use; its Producer and
// Consumer each belong to one goroutine at a time. Close wakes the
// goroutines of this process parked in the Producer's or Consumer's
// calls, which return os.ErrClosed, and waits until none is inside the
// mapping before it unmaps.
type Ring struct {
	seg      *shm.Segment
	gate     gate.Gate
	geo      geometry // private copy, never re-read
	mask     uint64
	data     []byte
	hdr      []atomic.Uint64 // data again, as words: record headers are loaded and stored whole
	prod     *side
	cons     *side
	prodFlag *flags
	consFlag *flags
}

// Config is the geometry of a new ring.
type Config struct {
	// Capacity is the bytes of the data area: a power of two from
	// MinCapacity to MaxCapacity.
	Capacity int
	// MaxMessage is the longest message, in bytes: at most Capacity/4 - 8.
	// Zero means the largest the capacity allows.
	MaxMessage int
}

// Create makes a ring segment called name with the geometry of cfg.
func Create(name string, cfg Config, opts *shm.Options) (*Ring, error) {
	return create(Kind, name, cfg, opts)
}

// Open opens the ring segment called name.
func Open(name string, opts *shm.Options) (*Ring, error) { return open(Kind, name, opts) }

// OpenOrCreate opens the ring called name, creating it with the geometry
// of cfg if it does not exist; created reports which. An existing ring of
// another geometry fails with shm.ErrIncompatible.
func OpenOrCreate(name string, cfg Config, opts *shm.Options) (*Ring, bool, error) {
	return openOrCreate(Kind, name, cfg, opts)
}

// New makes a ring in this process's memory, for its goroutines: the same
// code as a shared ring, which the race detector can watch.
func New(cfg Config) (*Ring, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: new: %w", err)
	}
	seg, err := shm.NewLocal(g.payloadSize())
	if err != nil {
		return nil, err
	}
	if err := initRing(seg, g); err != nil {
		return nil, err
	}
	return attach(seg)
}

func create(kind, name string, cfg Config, opts *shm.Options) (*Ring, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: create %s: %w", name, err)
	}
	seg, err := shm.Create(name, g.payloadSize(), options(kind, opts, &g))
	if err != nil {
		return nil, err
	}
	return attach(seg)
}

func open(kind, name string, opts *shm.Options) (*Ring, error) {
	seg, err := shm.Open(name, options(kind, opts, nil))
	if err != nil {
		return nil, err
	}
	return attach(seg)
}

func openOrCreate(kind, name string, cfg Config, opts *shm.Options) (*Ring, bool, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, false, fmt.Errorf("ringbuf: open or create %s: %w", name, err)
	}
	seg, created, err := shm.OpenOrCreate(name, g.payloadSize(), options(kind, opts, &g))
	if err != nil {
		return nil, false, err
	}
	r, err := attach(seg)
	if err != nil {
		return nil, false, err
	}
	if r.geo.capacity != g.capacity || r.geo.maxMsg != g.maxMsg {
		r.Close()
		return nil, false, fmt.Errorf("ringbuf: open %s: %w: capacity %d, max message %d; want %d, %d",
			name, shm.ErrIncompatible, r.geo.capacity, r.geo.maxMsg, g.capacity, g.maxMsg)
	}
	return r, created, nil
}

// options fills in the kind, and for a creator (g not nil) the
// initialization of the payload.
func options(kind string, opts *shm.Options, g *geometry) *shm.Options {
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = kind, KindVersion
	if g != nil {
		o.Init = func(seg *shm.Segment) error { return initRing(seg, *g) }
	}
	return &o
}

func initRing(seg *shm.Segment, g geometry) error {
	geo, err := shm.View[geometry](seg, offGeometry)
	if err == nil {
		*geo = g
	}
	return err
}

func newGeometry(cfg Config) (geometry, error) {
	capacity, maxMsg := cfg.Capacity, cfg.MaxMessage
	if capacity < MinCapacity || uint64(capacity) > MaxCapacity || bits.OnesCount(uint(capacity)) != 1 {
		return geometry{}, fmt.Errorf("%w: capacity %d must be a power of two in [%d, %d]", shm.ErrInvalidSize, capacity, MinCapacity, uint64(MaxCapacity))
	}
	if maxMsg == 0 {
		maxMsg = int(maxMsgFor(uint64(capacity)))
	}
	if maxMsg < 0 || uint64(maxMsg) > maxMsgFor(uint64(capacity)) {
		return geometry{}, fmt.Errorf("%w: max message %d must be in [1, %d] for capacity %d", shm.ErrInvalidSize, maxMsg, maxMsgFor(uint64(capacity)), capacity)
	}
	return geometry{magic: geometryMagic, version: layoutVersion, capacity: uint64(capacity), maxMsg: uint64(maxMsg)}, nil
}

// payloadSize is the bytes of a ring segment's payload for g.
func (g geometry) payloadSize() int { return int(dataOffset + g.capacity) }

// attach builds a Ring over seg (view), closing seg if that fails.
func attach(seg *shm.Segment) (*Ring, error) {
	r, err := view(seg)
	if err != nil {
		seg.Close()
		return nil, err
	}
	r.gate.OnClose(r.rouse)
	r.gate.OnRetire(r.seg.Retire)
	return r, nil
}

// view validates the geometry line of seg's payload, copies it into
// private memory, and builds the views. It does not close seg.
func view(seg *shm.Segment) (*Ring, error) {
	bad := func(err error) (*Ring, error) { return nil, fmt.Errorf("ringbuf: %s: %w", seg.Name(), err) }
	mem := seg.Payload()
	if len(mem) < dataOffset+MinCapacity {
		return bad(fmt.Errorf("%w: payload of %d bytes", ErrCorrupt, len(mem)))
	}
	geo, err := shm.View[geometry](seg, offGeometry)
	if err != nil {
		return bad(err)
	}
	g := *geo // read once
	if err := checkGeometry(g, len(mem)); err != nil {
		return bad(err)
	}
	r := &Ring{seg: seg, geo: g, mask: g.capacity - 1, data: mem[dataOffset : dataOffset+g.capacity]}
	for _, err := range []error{
		viewWords(&r.hdr, seg, g.capacity),
		viewOne(&r.prod, seg, offProducer), viewOne(&r.cons, seg, offConsumer),
		viewOne(&r.prodFlag, seg, offProducerFlags), viewOne(&r.consFlag, seg, offConsumerFlags),
	} {
		if err != nil {
			return bad(err)
		}
	}
	return r, nil
}

func viewWords(dst *[]atomic.Uint64, seg *shm.Segment, capacity uint64) (err error) {
	*dst, err = shm.ViewSlice[atomic.Uint64](seg, dataOffset, int(capacity/recordAlign))
	return err
}

func viewOne[T any](dst **T, seg *shm.Segment, off int) (err error) {
	*dst, err = shm.View[T](seg, off)
	return err
}

// rouse wakes this process's side parked on r, for Close: both wake words
// move on, and a peer process parked on its own word sees a spurious
// wake-up and parks again.
func (r *Ring) rouse() {
	for _, f := range []*flags{r.prodFlag, r.consFlag} {
		f.wakes.Add(1)
		_, _ = futex.Wake(&f.wakes, futex.All)
	}
}

// Capacity returns the bytes of the data area.
func (r *Ring) Capacity() int { return int(r.geo.capacity) }

// MaxMessage returns the longest message the ring takes.
func (r *Ring) MaxMessage() int { return int(r.geo.maxMsg) }

// Segment returns the ring's segment (a local one for New).
func (r *Ring) Segment() *shm.Segment { return r.seg }

// Close wakes this process's goroutines parked in the ring's Producer or
// Consumer, which return os.ErrClosed, as every later call on them does,
// and unmaps the ring. If this process's Producer or Consumer is still
// open, a call of theirs may be in flight (they do not announce each call,
// which would cost two locked instructions per message), so the file is
// let go at once but its address range is kept, as private zeroed memory,
// until the last of them is closed (shm.Segment.Retire): nothing faults.
// Close the Producer and Consumer first to give their roles back; a role
// left held is taken over as a dead process's once this process exits.
// Close does not remove the segment; see shm.Remove. It is idempotent.
func (r *Ring) Close() error { return r.gate.Close(r.seg.Close) }

// claim makes this process the owner of s, unless a live process is. It
// returns our token and the one it replaced (a dead process's, or 0): a
// taker that then fails gives the role back to that one with unclaim, so
// that the other side still sees its peer dead, not a role never taken,
// and does not wait for it forever.
func claim(s *side, role string) (me, prev live.Token, err error) {
	me, err = live.Self()
	if err != nil {
		return 0, 0, err
	}
	for {
		t := live.Token(s.owner.Load())
		if t == me {
			return 0, 0, fmt.Errorf("%w: this process already holds it (one %s per ring; close it first)", ErrBusy, role)
		}
		if t != 0 && live.AliveNow(t) { // uncached: a process that died a moment ago frees the role now
			return 0, 0, fmt.Errorf("%w (pid %d)", ErrBusy, live.PID(t))
		}
		if s.owner.CompareAndSwap(uint64(t), uint64(me)) {
			return me, t, nil
		}
	}
}

// unclaim gives s back to prev, the owner claim replaced, after a failed
// takeover: unless someone took it from us meanwhile.
func unclaim(s *side, me, prev live.Token) { s.owner.CompareAndSwap(uint64(me), uint64(prev)) }

// Inspect returns the state of the ring or stream in seg, opened by
// shm.Open, read-only or not: for observers such as shmtool.
func Inspect(seg *shm.Segment) (State, error) {
	if !isRing(seg) {
		return State{}, fmt.Errorf("ringbuf: %s is a %q segment, not a ring", seg.Name(), seg.Kind())
	}
	r, err := view(seg)
	if err != nil {
		return State{}, err
	}
	return r.State(), nil
}

// Inspector returns the ring kind's shm.Inspector, and StreamInspector the
// stream kind's; Inspect returns a State for both.
func Inspector() shm.Inspector { return inspector(Kind) }

// StreamInspector returns the stream kind's shm.Inspector.
func StreamInspector() shm.Inspector { return inspector(StreamKind) }

type inspector string

func (k inspector) Kind() string                        { return string(k) }
func (inspector) Inspect(seg *shm.Segment) (any, error) { return Inspect(seg) }

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
