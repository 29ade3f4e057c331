package metrics

import (
	"errors"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/pool"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/value"
)

// stateMetrics adds the metrics of st, a segment's state as its kind's
// Inspector in the kinds table decodes it. It goes by the state's type,
// not the kind's name, so a later kind whose Inspector returns one of
// these types has their metrics under its own name; one whose state is
// none of them, but that carries messages, has what flow (kinds.ReadFlow,
// the counters watch reads) returns.
func stateMetrics(e *emitter, st any, flow func() (kinds.Flow, error)) error {
	switch st := st.(type) {
	case ringbuf.State:
		ringMetrics(e, st)
	case queue.State:
		queueMetrics(e, st)
	case futex.MutexState:
		mutexMetrics(e, st)
	case semaphore.State:
		semaphoreMetrics(e, st)
	case dict.Stats:
		dictMetrics(e, st)
	case futex.EventState:
		e.gauge("set", "1 if the event is set.", b2f(st.Set))
		e.gauge("waiters", "Processes' goroutines parked on the event.", float64(st.Waiters))
	case futex.BarrierState:
		e.gauge("parties", "Parties the barrier waits for.", float64(st.Parties))
		e.gauge("arrived", "Parties arrived in the current generation.", float64(st.Arrived))
		e.gauge("generation", "Times the barrier has tripped (wrapping).", float64(st.Generation))
		e.gauge("broken", "1 if the barrier is broken.", b2f(st.Broken))
	case pool.State:
		poolMetrics(e, st)
	case value.State, array.State:
		// Data, not counters: the segment's own metrics say enough.
	default:
		fl, err := flow()
		if errors.Is(err, kinds.ErrNoFlow) {
			return nil // raw, or a kind this build does not know
		}
		if err != nil {
			return err
		}
		flowMetrics(e, fl)
	}
	return nil
}

// sides are the label values of a ring's or queue's two sides.
var (
	produced = label{"side", "produced"}
	consumed = label{"side", "consumed"}
)

// sideCounters adds the counters of one side; messages too unless the
// segment is a stream, which carries bytes.
func sideCounters(e *emitter, side label, messages bool, msgs, bytes, waits, wakeups uint64) {
	if messages {
		e.counter("messages", "Messages written (side=produced) or read (side=consumed). Peers publish their counts every 64 messages, when they wait and when they close.", float64(msgs), side)
	}
	e.counter("bytes", "Payload bytes written (side=produced) or read (side=consumed), published as messages are.", float64(bytes), side)
	e.counter("waits", "Times a peer of the side parked: a producer waiting for room, a consumer for data.", float64(waits), side)
	e.counter("wakeups", "Futex wake-ups the side sent to the other side.", float64(wakeups), side)
}

func ringMetrics(e *emitter, st ringbuf.State) {
	messages := e.kind != ringbuf.StreamKind
	c := st.Counters
	sideCounters(e, produced, messages, c.Produced.Messages, c.Produced.Bytes, c.Produced.Waits, c.Produced.Wakeups)
	sideCounters(e, consumed, messages, c.Consumed.Messages, c.Consumed.Bytes, c.Consumed.Waits, c.Consumed.Wakeups)
	e.gauge("used_bytes", "Bytes of the data area written and not yet released, record headers included.", float64(st.Used))
	e.gauge("capacity_bytes", "Bytes of the data area.", float64(st.Capacity))
}

func queueMetrics(e *emitter, st queue.State) {
	c := st.Counters
	sideCounters(e, produced, true, c.Produced.Messages, c.Produced.Bytes, c.Produced.Waits, c.Produced.Wakeups)
	sideCounters(e, consumed, true, c.Consumed.Messages, c.Consumed.Bytes, c.Consumed.Waits, c.Consumed.Wakeups)
	e.counter("skipped_slots", "Slots that producers died holding, passed over.", float64(c.Skipped))
	e.counter("dropped_messages", "Messages that consumers died holding, lost with them.", float64(c.Dropped))
	e.gauge("used_slots", "Slots claimed and not yet released.", float64(st.Used))
	e.gauge("capacity_slots", "Slots of the queue.", float64(st.Capacity))
}

func mutexMetrics(e *emitter, st futex.MutexState) {
	e.gauge("locked", "1 if the mutex is held.", b2f(st.Locked))
	e.gauge("owner_alive", "1 if the mutex is held by a process that still runs.", b2f(st.Locked && st.OwnerAlive))
	e.gauge("owner_dead", "1 if an owner of the mutex died holding it (it may be held by the dead process still) and it has not been made consistent since.", b2f(st.Status == "owner-dead"))
	e.gauge("unrecoverable", "1 if the mutex is unrecoverable: the heir of a dead owner unlocked it without marking it consistent.", b2f(st.Status == "unrecoverable"))
	e.gauge("waiters", "Lockers parked on the mutex (one killed while parked stays counted).", float64(st.Waiters))
}

func semaphoreMetrics(e *emitter, st semaphore.State) {
	e.gauge("value", "Permits available.", float64(st.Value))
	if st.Max != nil {
		e.gauge("max", "The bound on permits.", float64(*st.Max))
	}
	e.gauge("waiters", "Acquirers parked on the semaphore.", float64(st.Waiters))
	if !st.Tracked {
		return
	}
	var holders, dead, held float64
	for _, h := range st.Holders { // a process's entry stays when it has given its permits back
		if h.Permits <= 0 {
			continue
		}
		holders++
		held += float64(h.Permits)
		if !h.Alive {
			dead++
		}
	}
	e.gauge("holders", "Processes holding permits of the tracked semaphore, dead ones not yet reclaimed included.", holders)
	e.gauge("dead_holders", "Holders whose process no longer runs, their permits not yet reclaimed.", dead)
	e.gauge("held_permits", "Permits the holders hold.", held)
	e.counter("reclaimed", "Dead holders whose permits came back.", float64(st.Reclaimed))
	e.counter("rollbacks", "Operations of processes killed half-way that were undone.", float64(st.Rollbacks))
}

func dictMetrics(e *emitter, st dict.Stats) {
	e.gauge("entries", "Live entries, expired ones not yet reclaimed included.", float64(st.Entries))
	e.gauge("capacity_entries", "Entries the dict can hold.", float64(st.Capacity))
	e.gauge("key_value_bytes", "Key and value bytes of the entries.", float64(st.Bytes))
	e.counter("sets", "Entries set.", float64(st.Sets))
	e.counter("evictions", "Live entries evicted to make room.", float64(st.Evictions))
	e.counter("expiries", "Expired entries reclaimed.", float64(st.Expiries))
	e.counter("repairs", "Shards rebuilt after a writer died holding their lock.", float64(st.Repairs))
}

func poolMetrics(e *emitter, st pool.State) {
	e.counter("tasks_submitted", "Tasks (inputs) ever submitted to the pool.", float64(st.Submitted))
	e.counter("tasks_done", "Tasks that returned a result.", float64(st.Done))
	e.counter("tasks_failed", "Tasks that failed: their function's error, a panic, or out of retries.", float64(st.Failed))
	e.counter("tasks_retried", "Tasks sent again after their worker died or ran past its timeout.", float64(st.Retried))
	e.counter("tasks_dropped", "Tasks dropped unsent because their caller stopped waiting.", float64(st.Dropped))
	e.counter("workers_started", "Worker processes started, replacements included.", float64(st.Started))
	e.gauge("tasks_queued", "Tasks waiting for a worker.", float64(st.Queued))
	e.gauge("tasks_in_flight", "Tasks sent to a worker and not yet answered.", float64(st.InFlight))
	var running, busy float64
	for _, w := range st.Workers {
		if w.PID != 0 {
			running++
		}
		if w.Busy {
			busy++
		}
	}
	e.gauge("workers", "Worker processes running (slots being refilled are not).", running)
	e.gauge("workers_busy", "Workers running a task now.", busy)
}

// flowMetrics adds what watch reads of a kind that carries messages.
func flowMetrics(e *emitter, fl kinds.Flow) {
	e.counter("messages", "Messages read.", float64(fl.Messages), consumed)
	e.counter("bytes", "Payload bytes read.", float64(fl.Bytes), consumed)
	e.gauge("used", "Bytes, or slots, in use.", float64(fl.Used))
	e.gauge("capacity", "Bytes, or slots, the segment holds.", float64(fl.Capacity))
}
