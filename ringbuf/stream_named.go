package ringbuf

import (
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// Stream is a byte stream in shared memory, one way: Python's Pipe with
// duplex=False. It is a ring of kind StreamKind whose writer (Writer)
// cuts what it is given into messages as large as the ring allows and
// whose reader (Reader) hands them back as bytes. One process at a time
// writes and one reads.
//
// A Stream's own methods are safe for concurrent use; Close behaves as
// Ring.Close.
type Stream struct{ r *Ring }

// StreamConfig is the geometry of a new stream.
type StreamConfig struct {
	// Capacity is the bytes of the data area: a power of two from
	// MinCapacity to MaxCapacity.
	Capacity int
}

func (c StreamConfig) ring() Config { return Config{Capacity: c.Capacity} }

// CreateStream makes a stream segment called name.
func CreateStream(name string, cfg StreamConfig, opts *shm.Options) (*Stream, error) {
	r, err := create(StreamKind, name, cfg.ring(), opts)
	if err != nil {
		return nil, err
	}
	return &Stream{r}, nil
}

// OpenStream opens the stream segment called name.
func OpenStream(name string, opts *shm.Options) (*Stream, error) {
	r, err := open(StreamKind, name, opts)
	if err != nil {
		return nil, err
	}
	return &Stream{r}, nil
}

// OpenOrCreateStream opens the stream called name, creating it if it does
// not exist; created reports which. An existing stream of another
// capacity fails with shm.ErrIncompatible.
func OpenOrCreateStream(name string, cfg StreamConfig, opts *shm.Options) (s *Stream, created bool, err error) {
	r, created, err := openOrCreate(StreamKind, name, cfg.ring(), opts)
	if err != nil {
		return nil, false, err
	}
	return &Stream{r}, created, nil
}

// NewStream makes a stream in this process's memory, for its goroutines.
func NewStream(cfg StreamConfig) (*Stream, error) {
	r, err := New(cfg.ring())
	if err != nil {
		return nil, fmt.Errorf("ringbuf: new stream: %w", err)
	}
	return &Stream{r}, nil
}

// Capacity returns the bytes of the data area.
func (s *Stream) Capacity() int { return s.r.Capacity() }

// Segment returns the stream's segment (a local one for NewStream).
func (s *Stream) Segment() *shm.Segment { return s.r.seg }

// Close wakes this process's goroutines parked in the stream's writer or
// reader (they return os.ErrClosed), waits until none is inside the
// mapping, and unmaps it; see Ring.Close.
func (s *Stream) Close() error { return s.r.Close() }

// State returns a snapshot of the stream's ring, counters included; it
// only reads it.
func (s *Stream) State() State { return s.r.State() }
