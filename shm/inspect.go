package shm

// An Inspector reads the state of one kind of segment for observers, such
// as shmtool's inspect, watch and metrics, that handle every kind alike.
// Each package that makes a kind of segment provides one (ringbuf,
// queue, value, array, semaphore, shmsync), and its typed form
// (queue.Inspect returns a queue.State).
type Inspector interface {
	// Kind is the segment kind this Inspector reads.
	Kind() string
	// Inspect returns the state of seg, a segment of Kind opened
	// read-only or not, as the kind's State struct. It only reads the
	// mapping, and it validates what it reads: a corrupt segment gives
	// an error wrapping ErrCorrupt.
	Inspect(seg *Segment) (any, error)
}
