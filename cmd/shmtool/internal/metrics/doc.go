// Package metrics exports the counters of every shmkit segment in a
// directory in the Prometheus exposition format, for shmtool metrics.
//
// A Collector lists the segments at each scrape, opens each one
// read-only as an observer, reads its state through the tool's table of
// kinds (kinds.Inspect, and kinds.ReadFlow, the counters watch reads)
// and closes it again: nothing is cached, so a segment that is removed
// stops being exported at the next scrape. Every sample carries the
// segment's name and kind as labels.
//
//	reg := metrics.NewRegistry("") // /dev/shm
//	err := metrics.Serve(ctx, ln, metrics.Handler(reg, logger))
//
// The metrics, all with the labels name and kind:
//
//   - every segment: shmkit_segment_size_bytes,
//     shmkit_segment_creator_alive, shmkit_segment_creation_timestamp_seconds
//     and shmkit_segment_readable (0 when it is listed but its state could
//     not be read at this scrape: corrupt, not ready, refused);
//   - ring and queue: shmkit_<kind>_messages_total, _bytes_total,
//     _waits_total and _wakeups_total, each with side="produced" or
//     side="consumed"; how full it is, shmkit_ring_used_bytes and
//     shmkit_ring_capacity_bytes, shmkit_queue_used_slots and
//     shmkit_queue_capacity_slots; a queue's shmkit_queue_skipped_slots_total
//     and shmkit_queue_dropped_messages_total;
//   - stream: the ring's metrics but messages (a stream carries bytes);
//   - mutex (and cond, whose state is its mutex's): shmkit_<kind>_locked,
//     _owner_alive, _owner_dead, _unrecoverable and _waiters;
//   - semaphore: shmkit_semaphore_value, _max (bounded ones), _waiters,
//     and for a tracked one _holders, _dead_holders, _held_permits,
//     _reclaimed_total and _rollbacks_total;
//   - dict: shmkit_dict_entries, _capacity_entries, _key_value_bytes,
//     _sets_total, _evictions_total, _expiries_total and _repairs_total;
//   - event: shmkit_event_set and _waiters; barrier: shmkit_barrier_parties,
//     _arrived, _generation and _broken;
//   - pool: shmkit_pool_tasks_submitted_total, _tasks_done_total,
//     _tasks_failed_total, _tasks_retried_total, _tasks_dropped_total, _workers_started_total,
//     _tasks_queued, _tasks_in_flight, _workers and _workers_busy;
//   - a later kind of the table whose state is none of these but that
//     carries messages: what kinds.ReadFlow reads, as
//     shmkit_<kind>_messages_total and _bytes_total (side="consumed"),
//     shmkit_<kind>_used and shmkit_<kind>_capacity.
//
// A kind's name becomes part of a metric name with '-' turned into '_'.
//
// # Caveats
//
// Reading never writes to a segment: it is mapped PROT_READ from a file
// opened O_RDONLY. Opening one takes, for an instant, a shared lock on
// its init lock, as every shmkit opener does; files without the shmkit
// magic (other programs' segments, liveness files) are left out by
// shm.List, which only reads their first bytes, and are never locked or
// mapped.
//
// Peers publish their message and byte counts every 64 messages, when
// they wait and when they close, so a counter may trail what was sent by
// up to 63 messages per peer.
//
// Why a segment is unreadable is not logged (a corrupt segment would log
// at every scrape): shmkit_segment_readable says which, and shmtool
// inspect says why.
package metrics
