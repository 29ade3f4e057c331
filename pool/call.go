package pool

import (
	"context"
	"fmt"
	"sort"
)

// A call is one Map, Imap, ImapUnordered or Submit: its task messages,
// and where their outputs go. Its fields after tasks belong to the
// pool's lock, but for store, which each index's output is written
// through once.
type call struct {
	fn    string
	tasks []task
	// store takes output i, in place (the bytes are the ring's until it
	// returns); an error from it (a decode) is that input's error.
	store func(i int, b []byte) error
	ready chan int      // indices in tasks, as each finishes (cap len(tasks)); nil but for Imap
	done  chan struct{} // closed once every task has finished

	left      int
	cancelled bool
	errs      map[int]error // per input, once one failed
}

// task is one message: a chunk of a call's inputs, run by one worker.
type task struct {
	c        *call
	index    int // in c.tasks
	id       uint64
	first    int // the index of its first input in the call
	inputs   [][]byte
	attempts int  // times sent to a worker
	deaths   int  // times its worker died while running it
	got      int  // outputs of this attempt received (a chunk may come in several messages)
	kept     int  // outputs stored: of an earlier attempt, not stored again
	done     bool // finished (or failed): never sent again
}

func newCall(fn string, inputs [][]byte, chunk int, maxBytes int, ordered bool, store func(int, []byte) error) *call {
	c := &call{fn: fn, store: store, done: make(chan struct{})}
	n := 0
	for i := 0; i < len(inputs); i = chunkEnd(fn, inputs, i, chunk, maxBytes) {
		n++
	}
	c.tasks = make([]task, 0, n)
	for i := 0; i < len(inputs); {
		j := chunkEnd(fn, inputs, i, chunk, maxBytes)
		c.tasks = append(c.tasks, task{c: c, index: len(c.tasks), first: i, inputs: inputs[i:j]})
		i = j
	}
	c.left = len(c.tasks)
	if ordered {
		c.ready = make(chan int, len(c.tasks))
	}
	if c.left == 0 {
		close(c.done)
	}
	return c
}

// chunkEnd is the end of the chunk that starts at inputs[i]: at most
// chunk inputs, and a message of at most maxBytes unless one input alone
// is more.
func chunkEnd(fn string, inputs [][]byte, i, chunk, maxBytes int) int {
	j, size := i, taskHead+len(fn)
	for j < len(inputs) && j-i < chunk && (j == i || size+itemHead+len(inputs[j]) <= maxBytes) {
		size += itemHead + len(inputs[j])
		j++
	}
	return j
}

// failLocked records err as the error of input i.
func (c *call) failLocked(i int, err error) {
	if c.errs == nil {
		c.errs = map[int]error{}
	}
	if _, dup := c.errs[i]; !dup {
		c.errs[i] = err
	}
}

// firstErr is the error of the lowest input that failed.
func (c *call) firstErr() error {
	if len(c.errs) == 0 {
		return nil
	}
	keys := make([]int, 0, len(c.errs))
	for k := range c.errs {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return c.errs[keys[0]]
}

// chunkFor is Python's default chunk size for map: four chunks per
// worker.
func chunkFor(n, workers int) int {
	return max(1, (n+4*workers-1)/(4*workers))
}

// Option changes how Map, Imap and ImapUnordered cut their inputs into
// messages.
type Option func(*options)

type options struct{ chunk int }

// ChunkSize sends n inputs per message, as Python's chunksize does: fewer
// messages for tiny tasks, at the cost that a worker that dies takes a
// whole chunk with it (the chunk runs again). Map's default is Python's,
// four chunks per worker (and at most maxChunkBytes of inputs in one);
// Imap's and ImapUnordered's is 1.
func ChunkSize(n int) Option { return func(o *options) { o.chunk = n } }

// maxChunkBytes bounds the inputs of one message that Map chunks, so that
// a chunk never waits for a whole ring's worth of room.
const maxChunkBytes = 64 << 10

func chunkOf(opts []Option, def int) (int, error) {
	o := options{chunk: def}
	for _, f := range opts {
		f(&o)
	}
	if o.chunk < 1 {
		return 0, fmt.Errorf("pool: chunk size %d: want at least 1", o.chunk)
	}
	return o.chunk, nil
}

// Result is a task submitted with Submit: its output once it is done.
type Result[Out any] struct {
	c   *call
	one [1][]byte
	out Out
}

// Done is closed once the task has finished.
func (r *Result[Out]) Done() <-chan struct{} { return r.c.done }

// Wait returns the task's output or its error (a *TaskError), waiting
// until it is done or ctx ends. Ending ctx does not cancel the task.
func (r *Result[Out]) Wait(ctx context.Context) (Out, error) {
	select {
	case <-r.c.done:
		if err := r.c.errs[0]; err != nil {
			var zero Out
			return zero, err
		}
		return r.out, nil
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// deque is a FIFO of tasks that can also push to the front (a task that
// runs again goes before the rest).
type deque struct {
	buf        []*task
	head, size int
}

func (d *deque) len() int { return d.size }

func (d *deque) grow() {
	n := max(16, 2*len(d.buf))
	buf := make([]*task, n)
	for i := range d.size {
		buf[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	d.buf, d.head = buf, 0
}

func (d *deque) pushBack(t *task) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.buf[(d.head+d.size)%len(d.buf)] = t
	d.size++
}

func (d *deque) pushFront(t *task) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.head = (d.head - 1 + len(d.buf)) % len(d.buf)
	d.buf[d.head] = t
	d.size++
}

func (d *deque) front() *task { return d.buf[d.head] }

func (d *deque) popFront() *task {
	t := d.buf[d.head]
	d.buf[d.head] = nil
	d.head = (d.head + 1) % len(d.buf)
	d.size--
	return t
}
