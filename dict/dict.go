package dict

import (
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/internal/gate"
	"github.com/shmkit/shmkit/shm"
)

// Kind is the kind of a dict segment; KindVersion its layout version.
const (
	Kind        = "dict"
	KindVersion = 1
)

// Limits.
const (
	MaxKey     = 1 << 16
	MaxValue   = 1 << 24
	MaxEntries = 1 << 30
	MaxShards  = 1 << 12
)

var (
	// ErrCorrupt is a dict whose shared memory holds what no honest
	// writer leaves: an index out of range, a chain that loops.
	ErrCorrupt = errors.New("dict: segment corrupt")
	// ErrFull is Add or Replace (or a Set of a key too large for what can
	// be freed) finding no room: Add and Replace never evict a live entry.
	ErrFull = errors.New("dict: full")
	// ErrExists is Add of a key that is there.
	ErrExists = errors.New("dict: key exists")
	// ErrNotFound is Replace or Incr (with no initial value) of a key
	// that is not there.
	ErrNotFound = errors.New("dict: key not found")
	// ErrNotInteger is Incr of a value that is not 8 bytes.
	ErrNotInteger = errors.New("dict: value is not a 64-bit integer")
	// ErrTooLarge is a key or value longer than the dict's maximum.
	ErrTooLarge = errors.New("dict: too large")
	// ErrReadOnly is a write to a dict opened with shm.Options.ReadOnly.
	ErrReadOnly = errors.New("dict: opened read-only")
)

// Config is the size of a new dict, fixed at creation.
type Config struct {
	// Capacity is the bytes of entries: each takes 48 bytes of header,
	// MaxKey and MaxValue, rounded up to 8.
	Capacity int
	// MaxKey and MaxValue are the longest key (at least 1) and value.
	MaxKey, MaxValue int
	// Shards is how many independently locked parts the entries are
	// split into, a power of two: writers to different shards never wait
	// for each other. Zero picks as many as keep at least 64 entries each,
	// up to 64. Eviction is least recently used within a shard.
	Shards int
}

// Dict is a handle of a dictionary in shared memory. It is safe for
// concurrent use by many goroutines, in many processes.
type Dict struct {
	seg       *shm.Segment
	gate      gate.Gate
	geo       geometry // private copy, never re-read
	shards    []*shardHdr
	buckets   []atomicU32
	words     []atomicU64 // the entry area as words, for the headers
	data      []byte      // the entry area as bytes, for keys and values
	undo      []byte      // the undo records, as bytes
	undoWords []atomicU64 // and as words
	strideW   uint64
	// readOnly is an observer's view (Inspector, Dump): it never writes,
	// not even to repair a shard whose writer died.
	readOnly bool
}

// Create makes a dict segment called name.
func Create(name string, cfg Config, opts *shm.Options) (*Dict, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("dict: create %s: %w", name, err)
	}
	seg, err := shm.Create(name, g.payloadSize(), options(opts, &g))
	if err != nil {
		return nil, err
	}
	return attach(seg)
}

// Open opens the dict segment called name.
func Open(name string, opts *shm.Options) (*Dict, error) {
	seg, err := shm.Open(name, options(opts, nil))
	if err != nil {
		return nil, err
	}
	return attach(seg)
}

// OpenOrCreate opens the dict called name, or creates it with cfg;
// created reports which. An existing dict of another geometry is
// shm.ErrIncompatible.
func OpenOrCreate(name string, cfg Config, opts *shm.Options) (*Dict, bool, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, false, fmt.Errorf("dict: open or create %s: %w", name, err)
	}
	seg, created, err := shm.OpenOrCreate(name, g.payloadSize(), options(opts, &g))
	if err != nil {
		return nil, false, err
	}
	d, err := attach(seg)
	if err != nil {
		return nil, false, err
	}
	if d.geo != g {
		d.Close()
		return nil, false, fmt.Errorf("dict: open %s: %w: another geometry", name, shm.ErrIncompatible)
	}
	return d, created, nil
}

// New makes a dict in this process's memory, for goroutines of one
// process (and the race detector).
func New(cfg Config) (*Dict, error) {
	g, err := newGeometry(cfg)
	if err != nil {
		return nil, fmt.Errorf("dict: new: %w", err)
	}
	seg, err := shm.NewLocal(g.payloadSize())
	if err != nil {
		return nil, err
	}
	if err := initDict(seg, g); err != nil {
		return nil, err
	}
	return attach(seg)
}

func options(opts *shm.Options, g *geometry) *shm.Options {
	var o shm.Options
	if opts != nil {
		o = *opts
	}
	o.Kind, o.KindVersion = Kind, KindVersion
	if g != nil {
		o.Init = func(seg *shm.Segment) error { return initDict(seg, *g) }
	}
	return &o
}

// initDict writes a new dict: the geometry, and every shard's entries on
// its free list.
func initDict(seg *shm.Segment, g geometry) error {
	geo, err := shm.View[geometry](seg, offGeometry)
	if err != nil {
		return err
	}
	*geo = g
	d, err := view(seg)
	if err != nil {
		return err
	}
	for s := range d.shards {
		d.resetShard(uint32(s))
	}
	return nil
}

func attach(seg *shm.Segment) (*Dict, error) {
	d, err := view(seg)
	if err != nil {
		seg.Close()
		return nil, err
	}
	d.gate.OnRetire(seg.Retire)
	return d, nil
}

// view validates seg's geometry and maps the dict's parts.
func view(seg *shm.Segment) (*Dict, error) {
	bad := func(err error) (*Dict, error) { return nil, fmt.Errorf("dict: %s: %w", seg.Name(), err) }
	geo, err := shm.View[geometry](seg, offGeometry)
	if err != nil {
		return bad(err)
	}
	g := *geo // read once
	if err := g.check(len(seg.Payload())); err != nil {
		return bad(err)
	}
	d := &Dict{seg: seg, geo: g, strideW: uint64(g.stride / 8), readOnly: seg.ReadOnly()}
	d.shards = make([]*shardHdr, g.shards)
	for i := range d.shards {
		if d.shards[i], err = shm.View[shardHdr](seg, offShards+i*shardSize); err != nil {
			return bad(err)
		}
	}
	if d.buckets, err = shm.ViewSlice[atomicU32](seg, g.bucketsOff(), int(g.shards*g.buckets)); err != nil {
		return bad(err)
	}
	un := int(g.shards) * g.undoSize()
	if d.undo, err = shm.ViewSlice[byte](seg, g.undoOff(), un); err != nil {
		return bad(err)
	}
	if d.undoWords, err = shm.ViewSlice[atomicU64](seg, g.undoOff(), un/8); err != nil {
		return bad(err)
	}
	n := int(g.shards) * int(g.perShard) * int(g.stride)
	if d.words, err = shm.ViewSlice[atomicU64](seg, g.entriesOff(), n/8); err != nil {
		return bad(err)
	}
	if d.data, err = shm.ViewSlice[byte](seg, g.entriesOff(), n); err != nil {
		return bad(err)
	}
	return d, nil
}

// Close unmaps the dict once no call of this process is inside it. It
// does not remove the segment (shm.Remove does).
func (d *Dict) Close() error { return d.gate.Close(d.seg.Close) }

// Segment returns the dict's segment.
func (d *Dict) Segment() *shm.Segment { return d.seg }
