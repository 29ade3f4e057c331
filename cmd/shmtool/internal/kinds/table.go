package kinds

import (
	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/pool"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/shmsync"
	"github.com/shmkit/shmkit/value"
)

// table is every kind shmtool knows, in the order help lists them. A new
// kind is one more entry.
var table = newTable(
	Kind{
		Inspector: rawInspector{},
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			n, err := p.size()
			if err != nil {
				return nil, err
			}
			return shm.Create(name, n, o)
		},
	},
	Kind{
		Inspector: inspectorOf(shmsync.Inspectors(), "mutex"),
		create:    createObject[futex.Mutex](nil),
	},
	Kind{
		Inspector: inspectorOf(shmsync.Inspectors(), "event"),
		create:    createObject[futex.Event](nil),
	},
	Kind{
		Inspector: inspectorOf(shmsync.Inspectors(), "barrier"),
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			if p.Parties < 1 {
				return nil, usagef("--parties: a barrier needs at least 1 party")
			}
			return createObject(func(b *futex.Barrier) error { return b.Init(p.Parties) })(name, p, o)
		},
	},
	Kind{
		Inspector: value.Inspector(),
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			bt, err := p.basic()
			if err != nil {
				return nil, err
			}
			if p.Len != 0 {
				return nil, usagef("--len applies to --kind array only")
			}
			return bt.createValue(name, o)
		},
	},
	Kind{
		Inspector: array.Inspector(),
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			bt, err := p.basic()
			if err != nil {
				return nil, err
			}
			if p.Len < 1 {
				return nil, usagef("--len: an array needs at least 1 element")
			}
			return bt.createArray(name, p.Len, o)
		},
	},
	Kind{
		Inspector: ringbuf.Inspector(),
		flow:      ringFlow,
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			capacity, err := p.size()
			if err != nil {
				return nil, err
			}
			maxMsg := p.MaxMessage
			if maxMsg == 0 {
				maxMsg = capacity/4 - 8
			}
			return segmentOf(ringbuf.Create(name, ringbuf.Config{Capacity: capacity, MaxMessage: maxMsg}, o))
		},
	},
	Kind{
		Inspector: ringbuf.StreamInspector(),
		flow:      ringFlow,
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			capacity, err := p.size()
			if err != nil {
				return nil, err
			}
			return segmentOf(ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: capacity}, o))
		},
	},
	Kind{
		Inspector: queue.Inspector(),
		flow:      queueFlow,
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			size, err := p.size()
			if err != nil {
				return nil, err
			}
			slots := queue.SlotsFor(size, p.Slot)
			if slots == 0 {
				return nil, usagef("--size %d --slot %d: not even %d slots fit", size, p.Slot, queue.MinSlots)
			}
			return segmentOf(queue.Create(name, queue.Config{Slots: slots, MaxMessage: p.Slot}, o))
		},
	},
	Kind{
		Inspector: dict.Inspector(),
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			capacity, err := p.size()
			if err != nil {
				return nil, err
			}
			return segmentOf(dict.Create(name, dict.Config{Capacity: capacity, MaxKey: p.MaxKey, MaxValue: p.MaxValue}, o))
		},
	},
	Kind{
		Inspector: semaphore.Inspector(),
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			if p.Value < 0 || p.Max < 0 || (p.Max > 0 && p.Value > p.Max) {
				return nil, usagef("--value %d --max %d: want 0 <= value <= max (max 0 for none)", p.Value, p.Max)
			}
			return createObject(func(s *semaphore.Semaphore) error { return s.Init(p.Value, p.Max, p.Tracked) })(name, p, o)
		},
	},
	Kind{
		Inspector: inspectorOf(shmsync.Inspectors(), shmsync.CondKind),
		create: func(name string, p Params, o *shm.Options) (*shm.Segment, error) {
			if err := p.noSize(); err != nil {
				return nil, err
			}
			return segmentOf(shmsync.CreateCond(name, o))
		},
	},
	Kind{
		// A pool's segment only describes the worker processes of a
		// live program: there is nothing for shmtool to create.
		Inspector: pool.Inspector(),
		flow:      poolFlow,
		madeBy:    "pool.New in a program",
	},
)
