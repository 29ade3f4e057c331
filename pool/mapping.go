package pool

import (
	"context"
	"fmt"
	"iter"
)

// Map runs fn on every input in the workers and returns the outputs in
// input order, as Python's Pool.map does. It sends the inputs in chunks
// (see ChunkSize), and returns once every task has finished: the outputs,
// or the error of the lowest input that failed (a *TaskError naming it).
// If ctx ends first, the tasks not yet sent are dropped and Map returns
// ctx.Err().
//
// The inputs must not change until Map returns: a task whose worker dies
// is sent again from them. With Config.TaskTimeout set, the default chunk
// size is 1, as the timeout bounds a message.
func Map[In, Out any](ctx context.Context, p *Pool, fn *Func[In, Out], inputs []In, opts ...Option) ([]Out, error) {
	def := chunkFor(len(inputs), p.cfg.Workers)
	if p.cfg.TaskTimeout > 0 {
		def = 1 // the timeout is per message: each task gets its own
	}
	chunk, err := chunkOf(opts, def)
	if err != nil {
		return nil, err
	}
	enc, err := encodeAll(fn, inputs, p.cfg.MaxMessage)
	if err != nil {
		return nil, err
	}
	outs := make([]Out, len(inputs))
	dec := outCodec(fn)
	c := newCall(fn.name, enc, chunk, p.chunkBytes(), false, func(i int, b []byte) (err error) {
		outs[i], err = dec.Decode(b)
		return err
	})
	if err := p.run(ctx, c); err != nil {
		return nil, err
	}
	return outs, nil
}

// Imap is Map that yields each output as soon as it and every output
// before it are ready, in input order (Python's imap), with the input's
// error if it failed. Its chunk size is 1 unless ChunkSize says
// otherwise. Breaking out of the loop drops the tasks not yet sent.
func Imap[In, Out any](ctx context.Context, p *Pool, fn *Func[In, Out], inputs []In, opts ...Option) iter.Seq2[Out, error] {
	return imap(ctx, p, fn, inputs, true, opts)
}

// ImapUnordered is Imap in the order the outputs are ready (Python's
// imap_unordered). An output that needs to say which input it came from
// must carry it.
func ImapUnordered[In, Out any](ctx context.Context, p *Pool, fn *Func[In, Out], inputs []In, opts ...Option) iter.Seq2[Out, error] {
	return imap(ctx, p, fn, inputs, false, opts)
}

func imap[In, Out any](ctx context.Context, p *Pool, fn *Func[In, Out], inputs []In, ordered bool, opts []Option) iter.Seq2[Out, error] {
	return func(yield func(Out, error) bool) {
		var zero Out
		chunk, err := chunkOf(opts, 1)
		var enc [][]byte
		if err == nil {
			enc, err = encodeAll(fn, inputs, p.cfg.MaxMessage)
		}
		if err != nil {
			yield(zero, err)
			return
		}
		outs := make([]Out, len(inputs))
		dec := outCodec(fn)
		c := newCall(fn.name, enc, chunk, p.chunkBytes(), true, func(i int, b []byte) (err error) {
			outs[i], err = dec.Decode(b)
			return err
		})
		if err := p.start(c); err != nil {
			yield(zero, err)
			return
		}
		defer p.abandon(c)
		finished := make([]bool, len(c.tasks))
		next := 0
		for range c.tasks {
			var ti int
			select {
			case ti = <-c.ready:
			case <-ctx.Done():
				yield(zero, ctx.Err())
				return
			}
			finished[ti] = true
			from, to := ti, ti+1
			if ordered {
				for to = next; to < len(finished) && finished[to]; to++ {
				}
				from, next = next, to
			}
			for k := from; k < to; k++ {
				t := &c.tasks[k]
				for i := t.first; i < t.first+len(t.inputs); i++ {
					p.mu.Lock()
					err := c.errs[i]
					p.mu.Unlock()
					v := outs[i]
					outs[i] = zero
					if err != nil {
						v = zero
					}
					if !yield(v, err) {
						return
					}
				}
			}
		}
	}
}

// Submit sends one task (Python's apply_async) and returns at once; the
// Result's Wait gives its output. ctx bounds the submission only: the
// task runs on once it is queued.
//
// A []byte input (and the memory of a pointer-free one) is not copied
// until the task is written into a worker's ring, and is written again
// if its worker dies: leave it unchanged until the Result is done.
func Submit[In, Out any](ctx context.Context, p *Pool, fn *Func[In, Out], in In) (*Result[Out], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enc, err := encodeAll(fn, []In{in}, p.cfg.MaxMessage)
	if err != nil {
		return nil, err
	}
	r := &Result[Out]{}
	r.one[0] = enc[0]
	dec := outCodec(fn)
	r.c = newCall(fn.name, r.one[:], 1, p.chunkBytes(), false, func(_ int, b []byte) (err error) {
		r.out, err = dec.Decode(b)
		return err
	})
	if err := p.start(r.c); err != nil {
		return nil, err
	}
	return r, nil
}

// run starts c and waits for it.
func (p *Pool) run(ctx context.Context, c *call) error {
	if err := p.start(c); err != nil {
		return err
	}
	select {
	case <-c.done:
		return c.firstErr()
	case <-ctx.Done():
		p.abandon(c)
		return ctx.Err()
	}
}

// chunkBytes bounds a chunked message: maxChunkBytes, or less if the
// rings are smaller (a single input always fits: the rings are sized for
// MaxMessage).
func (p *Pool) chunkBytes() int {
	return min(maxChunkBytes, ringCapacity(p.cfg.MaxMessage)/4-8)
}

// encodeAll turns inputs into the bytes that travel: in place for Raw,
// Bytes and String (no copy until the ring), encoded once otherwise.
func encodeAll[In, Out any](fn *Func[In, Out], inputs []In, maxMessage int) ([][]byte, error) {
	if err := checkName(fn.name); err != nil {
		return nil, err
	}
	enc := make([][]byte, len(inputs))
	var buf []byte
	var ends []int
	for i := range inputs {
		switch c := any(fn.in).(type) {
		case rawCodec[In]:
			enc[i] = c.view(&inputs[i])
		case bytesCodec:
			enc[i] = any(inputs[i]).([]byte)
		default:
			var err error
			if buf, err = fn.in.Append(buf, inputs[i]); err != nil {
				return nil, fmt.Errorf("pool: encoding input %d for %s: %w", i, fn.name, err)
			}
			ends = append(ends, len(buf))
			continue
		}
		if len(enc[i]) > maxMessage {
			return nil, tooLarge(i, len(enc[i]), maxMessage)
		}
	}
	if ends != nil {
		start := 0
		for i, end := range ends {
			if end-start > maxMessage {
				return nil, tooLarge(i, end-start, maxMessage)
			}
			enc[i] = buf[start:end:end]
			start = end
		}
	}
	return enc, nil
}

func tooLarge(i, n, maxMessage int) error {
	return fmt.Errorf("%w: input %d is %d bytes; Config.MaxMessage is %d", ErrTooLarge, i, n, maxMessage)
}

// The byte API: Pool's methods call functions by name, with inputs and
// outputs as bytes.

// Map is the byte API's Map: it runs the function registered as name.
// Each output is a new slice: the only allocation per task.
func (p *Pool) Map(ctx context.Context, name string, inputs [][]byte, opts ...Option) ([][]byte, error) {
	return Map(ctx, p, byName(name), inputs, opts...)
}

// Imap is the byte API's Imap.
func (p *Pool) Imap(ctx context.Context, name string, inputs [][]byte, opts ...Option) iter.Seq2[[]byte, error] {
	return Imap(ctx, p, byName(name), inputs, opts...)
}

// ImapUnordered is the byte API's ImapUnordered.
func (p *Pool) ImapUnordered(ctx context.Context, name string, inputs [][]byte, opts ...Option) iter.Seq2[[]byte, error] {
	return ImapUnordered(ctx, p, byName(name), inputs, opts...)
}

// Submit is the byte API's Submit. It fails at once, with ErrUnknownFunc,
// for a name that no function is registered under.
func (p *Pool) Submit(ctx context.Context, name string, in []byte) (*Result[[]byte], error) {
	return Submit(ctx, p, byName(name), in)
}

// byName is the byte API's handle of a name, which need not be
// registered: the calls check.
func byName(name string) *Func[[]byte, []byte] {
	return &Func[[]byte, []byte]{name: name, in: bytesCodec{}, out: copyCodec{}}
}

// copyCodec decodes an output into a new slice: outputs outlive the ring.
type copyCodec struct{}

func (copyCodec) Append(dst []byte, v []byte) ([]byte, error) { return append(dst, v...), nil }
func (copyCodec) Decode(b []byte) ([]byte, error)             { return append([]byte(nil), b...), nil }

// outCodec is fn's output codec as the parent decodes with it: Bytes
// decodes in place, and an output must outlive the ring's bytes.
func outCodec[In, Out any](fn *Func[In, Out]) Codec[Out] {
	if _, ok := any(fn.out).(bytesCodec); ok {
		return any(copyCodec{}).(Codec[Out])
	}
	return fn.out
}
