package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/shmsync"
	"github.com/shmkit/shmkit/value"
)

// kind is what shmtool knows of one kind of segment: the kind's own
// package's inspection interface, and how to create one from flags.
// Adding a kind adds a line to kinds (and its stress worker, if any, to
// the stress table) and touches nothing else in the tool.
type kind struct {
	// Inspector names the kind and decodes its state from a read-only
	// segment, for inspect's "state".
	shm.Inspector
	// create makes a segment of the kind from create's flags.
	create func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error)
	// flow reads the counters of a kind that carries messages, for
	// watch; nil for other kinds.
	flow func(seg *shm.Segment) (flow, error)
}

// flow is what watch shows of a ring, stream or queue.
type flow struct {
	msgs, bytes    uint64 // consumed so far
	used, capacity uint64
	peers          string // "PRODUCER/CONSUMER" pids, or counts for a queue
	producer       int    // ring and stream only
	consumer       int
}

func ringFlow(seg *shm.Segment) (flow, error) {
	st, err := ringbuf.Inspect(seg)
	return flow{st.Counters.Consumed.Messages, st.Counters.Consumed.Bytes, st.Used, st.Capacity,
		fmt.Sprintf("%d/%d", st.ProducerPID, st.ConsumerPID), st.ProducerPID, st.ConsumerPID}, err
}

// usage returns the segment of a ring or queue just made, turning a bad
// size into a usage error.
func usage[T interface{ Segment() *shm.Segment }](obj T, err error) (*shm.Segment, error) {
	if err != nil {
		if errors.Is(err, shm.ErrInvalidSize) {
			return nil, usageError{err}
		}
		return nil, err
	}
	return obj.Segment(), nil
}

var kinds = table(
	kind{
		Inspector: rawInspector{},
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			n, err := parseSize(f.size)
			if err != nil {
				return nil, usagef("--size: %v", err)
			}
			return shm.Create(name, n, o)
		},
	},
	kind{
		Inspector: inspectorOf(shmsync.Inspectors(), "mutex"),
		create:    createObject[futex.Mutex](nil),
	},
	kind{
		Inspector: inspectorOf(shmsync.Inspectors(), "event"),
		create:    createObject[futex.Event](nil),
	},
	kind{
		Inspector: inspectorOf(shmsync.Inspectors(), "barrier"),
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			if f.parties < 1 {
				return nil, usagef("--parties: a barrier needs at least 1 party")
			}
			return createObject(func(b *futex.Barrier) error { return b.Init(f.parties) })(name, f, o)
		},
	},
	kind{
		Inspector: value.Inspector(),
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			bt, err := basicFlag(f)
			if err != nil {
				return nil, err
			}
			if f.length != 0 {
				return nil, usagef("--len applies to --kind array only")
			}
			return bt.createValue(name, o)
		},
	},
	kind{
		Inspector: array.Inspector(),
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			bt, err := basicFlag(f)
			if err != nil {
				return nil, err
			}
			if f.length < 1 {
				return nil, usagef("--len: an array needs at least 1 element")
			}
			return bt.createArray(name, f.length, o)
		},
	},
	kind{
		Inspector: ringbuf.Inspector(),
		flow:      ringFlow,
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			capacity, err := parseSize(f.size)
			if err != nil {
				return nil, usagef("--size: %v", err)
			}
			maxMsg := f.maxMsg
			if maxMsg == 0 {
				maxMsg = int(capacity/4) - 8
			}
			return usage(ringbuf.Create(name, ringbuf.Config{Capacity: int(capacity), MaxMessage: maxMsg}, o))
		},
	},
	kind{
		Inspector: ringbuf.StreamInspector(),
		flow:      ringFlow,
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			capacity, err := parseSize(f.size)
			if err != nil {
				return nil, usagef("--size: %v", err)
			}
			return usage(ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: int(capacity)}, o))
		},
	},
	kind{
		Inspector: queue.Inspector(),
		flow: func(seg *shm.Segment) (flow, error) {
			st, err := queue.Inspect(seg)
			return flow{st.Counters.Consumed.Messages, st.Counters.Consumed.Bytes, st.Used, st.Capacity,
				fmt.Sprintf("%d producers/%d consumers", len(st.ProducerPIDs), len(st.ConsumerPIDs)), 0, 0}, err
		},
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			size, err := parseSize(f.size)
			if err != nil {
				return nil, usagef("--size: %v", err)
			}
			slots := queue.SlotsFor(size, f.slot)
			if slots == 0 {
				return nil, usagef("--size %s --slot %d: not even %d slots fit", f.size, f.slot, queue.MinSlots)
			}
			return usage(queue.Create(name, queue.Config{Slots: slots, MaxMessage: f.slot}, o))
		},
	},
	kind{
		Inspector: semaphore.Inspector(),
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			if f.value < 0 || f.max < 0 || (f.max > 0 && f.value > f.max) {
				return nil, usagef("--value %d --max %d: want 0 <= value <= max (max 0 for none)", f.value, f.max)
			}
			return createObject(func(s *semaphore.Semaphore) error { return s.Init(f.value, f.max, f.tracked) })(name, f, o)
		},
	},
	kind{
		Inspector: inspectorOf(shmsync.Inspectors(), shmsync.CondKind),
		create: func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
			if f.size != "" {
				return nil, usagef("--size applies to --kind raw only")
			}
			return usage(shmsync.CreateCond(name, o))
		},
	},
)

// basicFlag checks create's --type for values and arrays.
func basicFlag(f *createFlags) (basicType, error) {
	if f.size != "" {
		return basicType{}, usagef("--size applies to --kind raw only")
	}
	bt, ok := basicTypes[f.typ]
	if !ok {
		return basicType{}, usagef("--type %q: want one of %s", f.typ, basicTypeNames())
	}
	return bt, nil
}

// kindState returns the segment's state, or an empty object for a kind
// this build of shmtool does not know.
func kindState(seg *shm.Segment) (map[string]any, error) {
	k, ok := kinds.byName[seg.Kind()]
	if !ok {
		return map[string]any{}, nil
	}
	st, err := k.Inspect(seg)
	if err != nil {
		return nil, err
	}
	return toMap(st)
}

// toMap turns a state struct into inspect's JSON object.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// createObject makes a named object of T, initialized by init.
func createObject[T any](init func(*T) error) func(string, *createFlags, *shm.Options) (*shm.Segment, error) {
	return func(name string, f *createFlags, o *shm.Options) (*shm.Segment, error) {
		if f.size != "" {
			return nil, usagef("--size applies to --kind raw only")
		}
		obj, err := shm.CreateObject(name, init, o)
		if err != nil {
			return nil, err
		}
		return obj.Segment(), nil
	}
}

// kindNames lists the kinds create accepts, for messages.
func kindNames() string { return fmt.Sprint(kinds.names) }
