// Package follow is the engine of shmtool tail and watch: it follows a
// ring's, stream's or queue's messages as they are committed (Tail), as
// a read-only observer or as a consumer that takes them, and samples
// their counters, and a pool's count of tasks finished, to compute rates
// (Watch).
//
//	t, err := follow.Tail("orders", follow.TailConfig{Count: 10})
//	if err != nil {
//		return err
//	}
//	defer t.Close()
//	for {
//		m, err := t.Next(ctx)
//		if errors.Is(err, follow.ErrLapped) {
//			continue // some messages went by unseen
//		}
//		if err == io.EOF {
//			return nil
//		}
//		if err != nil {
//			return err
//		}
//		fmt.Printf("%d %q\n", m.Seq, m.Data)
//	}
//
// Both return values one at a time and print nothing; the caller formats.
//
// # Caveats
//
// An observer only reads: under load it misses messages (in a ring, those
// the producer overwrote first; in a queue, those a consumer took first),
// and Next says so with ErrLapped. With TailConfig.Consume the Tailer is
// the ring's one consumer, or one more of the queue's, and takes what it
// shows from the processes that wanted it. Watch reads counters that the
// consumers publish in shared memory, so the processes need not help,
// but a consumer that publishes in batches makes rates uneven over short
// intervals.
//
// A segment that another process truncates ends a Next with an error
// (from shm's Check) or, between two checks, a fault; shmtool's run
// recovers the latter.
package follow
