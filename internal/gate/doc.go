// Package gate lets a handle's Close wait for the goroutines of its own
// process that are inside its mapping, and wake the ones parked on it,
// before it unmaps: cilium/ebpf's ringbuf Reader.Close, for every shmkit
// handle.
//
// A Gate counts the goroutines inside (Enter, Leave) and, once closed,
// refuses new ones with os.ErrClosed. Blocking calls wait on a context
// that Close cancels (Context), or, where a context would cost an
// allocation per wait, on a futex word that a waker registered with
// OnClose bumps.
//
// Enter and Leave are one atomic add each (about 2ns apiece uncontended),
// paid once per call or per batch. A handle that one goroutine uses at a
// time and that sits on a hot path (a ring's or a queue's Producer and
// Consumer) Holds the mapping instead, from attach to its own Close, and
// checks Closed (one plain load) per call: Close then retires the mapping
// (OnRetire: the file goes, the address range stays valid) and leaves the
// unmap to the last holder.
//
//	func (h *Handle) Read(...) error {
//		if err := h.gate.Enter(); err != nil {
//			return err // os.ErrClosed
//		}
//		defer h.gate.Leave()
//		...
//	}
//
//	func (h *Handle) Close() error {
//		return h.gate.Close(h.seg.Close) // wakes, waits, then unmaps
//	}
//
// # Caveats
//
// Close waits for goroutines inside to leave: a call that never returns
// (a callback that blocks forever inside ReadBatch) blocks Close too.
// Zero-copy slices handed out before Close are invalid after it; the
// gate cannot know who still holds one.
package gate
