/*
 * How the queue's waiters park and are woken (queue/await.go:
 * await, wakeOne, clearWoken), for one side: consumers waiting for
 * messages that producers commit. The other side is the same with room
 * for data.
 *
 * Model: P producers commit M messages in all; each commit is one atomic
 * step (avail + 1), then wakeOne. C consumers take a message (avail - 1)
 * and are done (with -DLOOP they go on taking), or park: load the futex
 * word wakes, set their parked bit, look again, and sleep while wakes
 * still holds the value loaded (FUTEX_WAIT's check and sleep are one
 * step). FUTEX_WAKE(1) wakes any one sleeper.
 *
 * Bit 0 of wakes (woken) is set while a woken peer has not yet run, so
 * that commits meanwhile do not make a system call each:
 *   - wakeOne: if any parked bit is set and woken is clear, CAS wakes from
 *     even v to v + 1 and wake one; if woken is set, nothing.
 *   - A peer back from its sleep clears its parked bit and then woken
 *     (CAS), and if it cleared it and a message is there it calls wakeOne:
 *     commits skipped their wakes while the bit was set (passOn).
 *   - A peer about to park never sleeps on an odd word: it clears woken
 *     first, taking the duty over, and if it then finds a message it
 *     passes the wake on as above. (The wake that set the bit may have
 *     found nobody asleep.)
 *
 * The real waits also time out every 2-50 ms and look again; the model has
 * no timeouts, so a lost wake-up is a consumer asleep for good.
 *
 * Property: no lost wake-up. When nothing can move any more (timeout), no
 * message is left: consumers may all be asleep only on an empty queue.
 * Two mutilations fail, as they must: -DNOPASSON (a woken consumer does
 * not pass the wake on, and the second message waits beside a sleeper)
 * and -DNOTAKEOVER (parkers sleep on an odd word, which nobody clears when
 * the wake that set it found no sleeper).
 *
 * With RELAXED defined, a commit goes through its producer's store buffer
 * (buf): it becomes visible to consumers later, at any moment (drain), so
 * the producer's wakeOne may load the parked bits before its commit is
 * seen, as a plain store followed by a load may on x86. That alone must
 * fail. With BARRIER also defined, a consumer that has set its parked bit
 * drains every producer's buffer before it looks again, as
 * membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) does (queue/relax.go), and
 * so does one back from its sleep that cleared woken, before it looks for
 * a wake to pass on, if another consumer is parked (passOn). That must
 * pass. Without the second barrier (-DNOPASSBARRIER) it fails: the woken
 * consumer sees nothing yet, passes nothing on, and the other sleeps
 * beside a message.
 *
 * The model keeps every producer relaxed, and lets no locked instruction
 * drain a producer's buffer: it allows more than the machine does. A
 * producer that goes back to fenced commits leaves the relaxed count by a
 * locked decrement, after which its commits are visible, so a parker that
 * reads a count of 0 is in the fenced model.
 *
 * Not modeled: crashes. A consumer killed between its wake-up and clearing
 * woken leaves the bit set, and commits skip their wakes until a parker or
 * a sleeper's timeout clears it: a delay of at most 50 ms, which the crash
 * tests and shmtool stress check as no hang.
 */

#define P 2   /* producers */
#define C 2   /* consumers */
#define M 2   /* messages, in all */

byte avail = 0;    /* committed and not yet taken */
byte produced = 0;
bit parked[C];     /* one word in the real queue, so loaded in one step */
bit asleep[C];     /* in FUTEX_WAIT on wakes */
byte wakes = 0;    /* the futex word; bit 0: a woken peer has not yet run */
byte buf[P];       /* RELAXED: each producer's commits not yet visible */

inline wakeOne() {
	d_step { r = parked[0] | parked[1] }
	if
	:: r ->
		v = wakes;
		if
		:: (v & 1) == 0 ->
			atomic {
				if
				:: wakes == v -> wakes = v + 1; ok = 1
				:: else -> ok = 0
				fi
			}
			if
			:: ok ->
				atomic { /* FUTEX_WAKE(1): any one sleeper */
					if
					:: asleep[0] -> asleep[0] = 0
					:: asleep[1] -> asleep[1] = 0
					:: else -> skip
					fi
				}
			:: else -> skip
			fi
		:: else -> skip /* a woken peer is on its way */
		fi
	:: else -> skip
	fi;
	d_step { r = 0; v = 0; ok = 0 }
}

/* clearWoken clears the woken bit if it is set, and says whether this
 * process did: it then owes the wakes that were skipped meanwhile. */
inline clearWoken() {
	v = wakes;
	if
	:: (v & 1) == 1 ->
		atomic {
			if
			:: wakes == v -> wakes = v + 1; cleared = 1
			:: else -> skip
			fi
		}
	:: else -> skip
	fi
}

proctype producer(byte me) {
	byte v;
	bit r, ok;
end:
	do
#ifdef RELAXED
	:: atomic { produced < M -> produced++; buf[me]++ }
#else
	:: atomic { produced < M -> produced++; avail++ }
#endif
		wakeOne()
	:: atomic { produced == M -> break }
	od
}

proctype consumer(byte me) {
	byte v, seq;
	bit r, ok, cleared;
end_loop:
	do
	:: atomic { avail > 0 -> avail-- }      /* TryRead took one */
#ifndef LOOP
		break                             /* and this consumer is done */
#endif
	:: atomic { avail == 0 -> skip }        /* empty: park */
		/* never sleep on an odd word: take the woken peer's duty over */
		do
		:: seq = wakes;
			if
			:: (seq & 1) == 0 -> break
			:: else ->
#ifndef NOTAKEOVER
				clearWoken()
#else
				break
#endif
			fi
		od;
		parked[me] = 1;
#ifdef BARRIER
		d_step { avail = avail + buf[0] + buf[1]; buf[0] = 0; buf[1] = 0 }
#endif
		if
		:: avail > 0 ->                       /* ready after all */
			parked[me] = 0;
#ifndef NOPASSON
			if
			:: cleared -> wakeOne()
			:: else -> skip
			fi
#endif
		:: else ->                            /* nothing owed: nothing was there */
			cleared = 0;
			atomic { if :: wakes == seq -> asleep[me] = 1 :: else -> skip fi }
end_sleep:
			(asleep[me] == 0);
			parked[me] = 0;
#ifndef NOPASSON
			clearWoken();
#if defined(BARRIER) && !defined(NOPASSBARRIER)
			/* a commit whose wake was skipped may still be buffered:
			 * fence the producers first, if another consumer is parked */
			d_step {
				if
				:: cleared && (parked[0] | parked[1]) ->
					avail = avail + buf[0] + buf[1]; buf[0] = 0; buf[1] = 0
				:: else -> skip
				fi
			}
#endif
			if
			:: cleared && avail > 0 -> wakeOne()
			:: else -> skip
			fi
#endif
		fi;
		d_step { seq = 0; cleared = 0; v = 0 }
	od
}

#ifdef RELAXED
/* A producer's store buffer drains on its own, at any moment. */
active proctype drain() {
end:
	do
	:: atomic { buf[0] > 0 -> buf[0]--; avail++ }
	:: atomic { buf[1] > 0 -> buf[1]--; avail++ }
	od
}
#endif

/* When nothing else can move, every message must have been taken. */
active proctype monitor() {
	timeout -> assert(avail == 0)
}

init {
	atomic {
		run producer(0);
		run producer(1);
		run consumer(0);
		run consumer(1)
	}
}
