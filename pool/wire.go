package pool

import (
	"encoding/binary"
	"fmt"
)

// Messages on a worker's rings (docs/FORMAT.md, "pool"), little-endian.
//
// A task message, parent to worker, carries one chunk of inputs for one
// function:
//
//	0   id      u64  the message's id, unique in the pool
//	8   count   u32  inputs in the chunk, at least 1
//	12  namelen u16  bytes of the function's name
//	14  pad     u16
//	16  name, then count items of (len u32, bytes)
//
// A result message, worker to parent, answers the oldest task message
// not yet answered, with one item per input; a chunk whose outputs do not
// fit one message is answered in several, in order:
//
//	0   id      u64  the task message's id
//	8   from    u32  the index in the chunk of this message's first output
//	12  count   u32  outputs in this message
//	16  nanos   u32  how long the chunk ran so far, in nanoseconds (saturating)
//	20  pad     u32
//	24  count items of (status u32, len u32, bytes)
const (
	taskHead   = 16
	resultHead = 24
	itemHead   = 4 // a task item's length word
	outHead    = 8 // a result item's status and length words
)

// Result statuses.
const (
	statusOK       uint32 = iota // bytes are the output
	statusError                  // bytes are the error's text
	statusPanic                  // bytes are the panic's value, a newline, and the stack
	statusUnknown                // bytes are the name the worker does not have
	statusTooLarge               // bytes are the error's text: the output did not fit a message
)

// taskSize is the bytes of a task message for fn and inputs.
func taskSize(fn string, inputs [][]byte) int {
	n := taskHead + len(fn)
	for _, in := range inputs {
		n += itemHead + len(in)
	}
	return n
}

// putTask encodes a task message into dst, which has taskSize bytes.
func putTask(dst []byte, id uint64, fn string, inputs [][]byte) {
	binary.LittleEndian.PutUint64(dst[0:], id)
	binary.LittleEndian.PutUint32(dst[8:], uint32(len(inputs)))
	binary.LittleEndian.PutUint16(dst[12:], uint16(len(fn)))
	binary.LittleEndian.PutUint16(dst[14:], 0)
	off := taskHead + copy(dst[taskHead:], fn)
	for _, in := range inputs {
		binary.LittleEndian.PutUint32(dst[off:], uint32(len(in)))
		off += itemHead + copy(dst[off+itemHead:], in)
	}
}

// taskReader walks a task message in place.
type taskReader struct {
	msg   []byte
	off   int
	left  int
	id    uint64
	count int
	fn    []byte
}

func readTask(msg []byte) (taskReader, error) {
	if len(msg) < taskHead {
		return taskReader{}, fmt.Errorf("%w: task message of %d bytes", ErrCorrupt, len(msg))
	}
	t := taskReader{msg: msg, id: binary.LittleEndian.Uint64(msg), count: int(binary.LittleEndian.Uint32(msg[8:]))}
	nl := int(binary.LittleEndian.Uint16(msg[12:]))
	if t.count < 1 || nl > len(msg)-taskHead {
		return taskReader{}, fmt.Errorf("%w: task message of %d bytes with %d inputs and a name of %d", ErrCorrupt, len(msg), t.count, nl)
	}
	t.fn = msg[taskHead : taskHead+nl]
	t.off, t.left = taskHead+nl, t.count
	return t, nil
}

// next returns the next input, in place.
func (t *taskReader) next() ([]byte, error) {
	if t.left == 0 || len(t.msg)-t.off < itemHead {
		return nil, fmt.Errorf("%w: task message %d ends before input %d", ErrCorrupt, t.id, t.count-t.left)
	}
	n := int(binary.LittleEndian.Uint32(t.msg[t.off:]))
	t.off += itemHead
	if n > len(t.msg)-t.off {
		return nil, fmt.Errorf("%w: task message %d: input of %d bytes in %d", ErrCorrupt, t.id, n, len(t.msg)-t.off)
	}
	in := t.msg[t.off : t.off+n]
	t.off += n
	t.left--
	return in, nil
}

// resultReader walks a result message in place. Everything in it came
// from a worker: it is checked, never trusted.
type resultReader struct {
	msg   []byte
	off   int
	left  int
	id    uint64
	from  int
	count int
	nanos uint32
}

func readResult(msg []byte) (resultReader, error) {
	if len(msg) < resultHead {
		return resultReader{}, fmt.Errorf("%w: result message of %d bytes", ErrCorrupt, len(msg))
	}
	le := binary.LittleEndian
	r := resultReader{msg: msg, off: resultHead, id: le.Uint64(msg), from: int(le.Uint32(msg[8:])),
		count: int(le.Uint32(msg[12:])), nanos: le.Uint32(msg[16:])}
	r.left = r.count
	return r, nil
}

// next returns the next output's status and bytes, in place.
func (r *resultReader) next() (uint32, []byte, error) {
	if r.left == 0 || len(r.msg)-r.off < outHead {
		return 0, nil, fmt.Errorf("%w: result message %d ends before output %d", ErrCorrupt, r.id, r.count-r.left)
	}
	status := binary.LittleEndian.Uint32(r.msg[r.off:])
	n := int(binary.LittleEndian.Uint32(r.msg[r.off+4:]))
	r.off += outHead
	if status > statusTooLarge || n > len(r.msg)-r.off {
		return 0, nil, fmt.Errorf("%w: result message %d: output status %d of %d bytes in %d", ErrCorrupt, r.id, status, n, len(r.msg)-r.off)
	}
	out := r.msg[r.off : r.off+n]
	r.off += n
	r.left--
	return status, out, nil
}

// putResultHead and putOutput build a result message.
func putResultHead(dst []byte, id uint64, from, count int, nanos uint32) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, id)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(from))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(count))
	dst = binary.LittleEndian.AppendUint32(dst, nanos)
	return binary.LittleEndian.AppendUint32(dst, 0)
}

func putOutput(dst []byte, status uint32, out []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, status)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(out)))
	return append(dst, out...)
}
