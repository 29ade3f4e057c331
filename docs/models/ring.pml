/*
 * The commit and parking protocol of ringbuf's SPSC ring (ringbuf/producer.go,
 * consumer.go, wait.go; internal/spin/fence.go), with a crash of the producer
 * possible at every step and an heir that takes its role over.
 *
 * Model: a ring of N one-slot records; the producers write M numbered
 * messages. A record is a header (0 none, 2 committed) and two data words,
 * written one at a time, so that a torn message is visible if the protocol
 * lets a reader see one. Records commit by their header: the consumer polls
 * the header at its own position and never reads the producer's. Before a
 * commit the producer zeroes the header after the record (or after the
 * run, with BATCH: two records, the second written whole first, committed
 * by the first's header), so that the consumer, arriving there, never takes
 * a record of an earlier lap for a new one. Then it publishes its position,
 * loads the consumer's parked flag and, if set, clears it (a CAS), bumps the
 * wake counter (the futex word) and wakes it. The consumer parks by loading
 * the wake counter, storing parked = 1, looking at the header again, and
 * sleeping until the counter changes -- or, as the real futex wait's
 * recheck timeout does, finds the producer dead, reports it and waits on.
 *
 * The first producer may die at any step. Its heir then takes the role
 * over: it starts at the published position and walks past the committed
 * headers (a producer may die between its commit and publishing its
 * position), wakes the consumer if it is parked (the dead one may have
 * died owing it a wake-up), and goes on after the last message it finds.
 *
 * With RELAXED defined, the commit store goes through a store buffer (one
 * entry, drained at any moment, and before the producer's next store, as
 * x86's FIFO buffer keeps stores in order), and the producer's later load
 * of parked may pass it: a plain release store on x86 and arm64. With
 * BARRIER also defined, the parking consumer drains the producer's buffer
 * after storing parked (membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) runs a
 * full barrier on the producer's thread).
 *
 * Mutants that must fail: RELAXED without BARRIER (a lost wake-up: the
 * consumer sleeps forever with a message waiting); NOZERO, the next header
 * not zeroed (the consumer reads a record of the last lap as new); NOWALK,
 * an heir that starts at the published position (the consumer may be past
 * it, which the real producer reports as ErrCorrupt).
 *
 * Properties (see README.md for the commands):
 *   - no torn, uncommitted, stale or repeated read: the consumer asserts
 *     every record it reads is whole and the next message, in order;
 *   - no lost wake-up: no invalid end state (a consumer asleep while a
 *     message waits is a deadlock spin reports);
 *   - progress: the consumer reads all M messages, from the first
 *     producer and its heir.
 */

#define N 3        /* records in the ring */
#define M 4        /* messages in all */

byte hdr[N];       /* 0 none, 2 committed */
byte d1[N];
byte d2[N];
byte ppos = 0;     /* the producer's published position */
byte cpos = 0;     /* the consumer's position */
bit parked = 0;    /* the consumer's flag */
byte wakes = 0;    /* the consumer's futex word */
byte owner = 1;    /* 1: the first producer, 0: it died, 2: its heir */
byte delivered = 0;

/*
 * The producer's store buffer: the commit store and then the position
 * store may sit in it (a FIFO, drained in order at any moment), and its
 * load of parked passes them. Earlier stores are drained before the commit
 * (they are older; the model leaves them out of the buffer to stay small).
 */
bit bufc = 0;      /* the commit store is buffered */
byte bufidx;
bit bufp = 0;      /* the position store is buffered */
byte bufpos;
#define DRAINC atomic { if :: bufc -> hdr[bufidx] = 2; bufc = 0 :: else -> skip fi }
#define DRAINP atomic { if :: !bufc && bufp -> ppos = bufpos; bufp = 0 :: else -> skip fi }
#define DRAIN  atomic { DRAINC; DRAINP }
#ifdef RELAXED
#define COMMIT(i) atomic { bufidx = i; bufc = 1 }
#define PUBLISH(v) atomic { bufpos = v; bufp = 1 }
#else
#define COMMIT(i) hdr[i] = 2
#define PUBLISH(v) ppos = v
#endif

/* A crash of the first producer: it stops for good, wherever it is. */
#define CRASH if :: me == 1 -> owner = 0; goto dead :: true fi

proctype producer(byte me) {
	byte seq = 1, pos = 0, i, k;
	if
	:: me == 1 -> skip
	:: me == 2 ->
end_wait:	(owner == 0 && !bufc && !bufp);  /* found dead (its stores retire: the kernel drains them) */
		owner = 2;
		pos = ppos;
#ifndef NOWALK
		do                        /* findEnd */
		:: hdr[pos % N] == 2 && pos - cpos < N -> pos++
		:: else -> break
		od;
#endif
		assert(cpos <= pos);          /* checkCons: the consumer is never past the end */
		ppos = pos;
		if                            /* a wake-up the dead one may have owed */
		:: parked -> parked = 0; wakes++
		:: else -> skip
		fi;
		if
		:: pos > 0 -> seq = d1[(pos - 1) % N] + 1
		:: else -> skip
		fi
	fi;
	do
	:: seq > M -> break
	:: else ->
#ifdef BATCH
		if
		:: seq < M -> k = 2
		:: else -> k = 1
		fi;
#else
		k = 1;
#endif
		(pos + k - cpos < N);         /* room: the run and the header after it */
		if
		:: k == 2 ->                  /* the run's second record, whole */
			i = (pos + 1) % N;
			CRASH; DRAIN; d1[i] = seq + 1;
			CRASH; d2[i] = seq + 1;
			CRASH; hdr[i] = 2
		:: else -> skip
		fi;
		i = pos % N;
		CRASH; DRAIN; d1[i] = seq;
		CRASH; d2[i] = seq;
#ifndef NOZERO
		CRASH; hdr[(pos + k) % N] = 0;  /* the header after the run */
#endif
		CRASH; COMMIT(i);             /* the run's first header, stored last */
		pos = pos + k;
		CRASH; PUBLISH(pos);          /* for observers and an heir */
		CRASH;
		if
		:: parked -> DRAIN; parked = 0; wakes++   /* CAS, bump, FUTEX_WAKE: atomic RMWs drain */
		:: else -> skip
		fi;
		seq = seq + k
	od;
	DRAIN;
dead:
	skip
}

/* The store buffer drains on its own at any moment, oldest first. */
active proctype drainer() {
end:	do
	:: bufc -> DRAINC
	:: bufp -> DRAINP
	od
}

active proctype consumer() {
	byte seen, i;
	do
	:: delivered == M -> break
	:: else ->
		i = cpos % N;
		if
		:: hdr[i] == 2 ->             /* committed: read it */
			assert(d1[i] == delivered + 1 && d2[i] == delivered + 1);   /* whole, the next one */
			delivered++;
			cpos++                    /* release */
		:: else ->                    /* nothing: park */
			seen = wakes;
			parked = 1;
#if defined(RELAXED) && defined(BARRIER)
			DRAIN;                    /* membarrier: the producer's buffered store is visible */
#endif
			if
			:: hdr[cpos % N] == 2 -> parked = 0
			:: else ->
				if
				:: wakes != seen -> skip  /* woken */
				:: owner == 0 -> skip     /* the recheck finds the producer dead: ErrPeerDead, then wait on */
				fi;
				parked = 0
			fi
		fi
	od
}

init {
	atomic { run producer(1); run producer(2) }
}
