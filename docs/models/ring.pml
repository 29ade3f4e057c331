/*
 * The commit and parking protocol of ringbuf's SPSC ring (ringbuf/producer.go,
 * consumer.go, wait.go, fence.go), with a crash of the producer possible at
 * every step.
 *
 * Model: a ring of N records; the producer writes M messages. A record is a
 * header (0 free, -1 claimed, 1 committed) and two data words, written one
 * at a time, so that a torn message is visible if the protocol lets a
 * reader see one. The producer publishes pos after the record, then loads
 * the consumer's parked flag and, if set, bumps the wake counter (the futex
 * word) and wakes it. The consumer parks by loading the wake counter,
 * storing parked = 1, looking at pos again, and sleeping until the counter
 * changes -- or, as the real futex wait's recheck timeout does, until it
 * finds the producer dead.
 *
 * With RELAXED defined, the producer's store of pos goes through a store
 * buffer (one entry, drained at any moment) and its later load of parked
 * may pass it: a plain release store on x86 and arm64. With BARRIER also
 * defined, the parking consumer drains the producer's buffer after storing
 * parked (membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) runs a full barrier
 * on the producer's thread). RELAXED without BARRIER loses wake-ups: spin
 * finds the consumer asleep forever with a message waiting.
 *
 * Properties (see README.md for the commands):
 *   - no torn or uncommitted read: the consumer asserts every record it
 *     reads is committed and whole, in order;
 *   - no lost wake-up: no invalid end state (a consumer asleep while the
 *     producer has finished or died is a deadlock spin reports);
 *   - progress: the consumer reads every message unless the producer dies.
 */

#define N 2        /* records in the ring */
#define M 4        /* messages the producer writes */

byte hdr[N];       /* 0 free, 1 claimed, 2 committed (a claim is -n in the real ring) */
byte d1[N];
byte d2[N];
byte ppos = 0;     /* the producer's published position */
byte cpos = 0;     /* the consumer's released position */
bit parked = 0;    /* the consumer's flag */
byte wakes = 0;    /* the consumer's futex word */
bit alive = 1;     /* the producer's liveness */
byte delivered = 0;

#ifdef RELAXED
bit buffered = 0;  /* a store of ppos sits in the producer's store buffer */
byte bufval;
#define DRAIN atomic { if :: buffered -> ppos = bufval; buffered = 0 :: else -> skip fi }
#define PUBLISH(v) atomic { bufval = v; buffered = 1 }
#else
#define DRAIN skip
#define PUBLISH(v) ppos = v
#endif

/* A crash: the process stops for good, wherever it is. */
#define CRASH if :: alive = 0; goto dead :: true fi

active proctype producer() {
	byte seq = 1, pos = 0, i;
	do
	:: seq > M -> break
	:: else ->
		(pos - cpos < N);             /* room: the consumer released this record */
		i = pos % N;
		CRASH; hdr[i] = 1;            /* claim */
		CRASH; d1[i] = seq;
		CRASH; d2[i] = seq;
		CRASH; hdr[i] = 2;            /* commit: the length, stored last */
		pos++;
		CRASH; PUBLISH(pos);          /* release store of pos */
		CRASH;
		if
		:: parked -> DRAIN; wakes++   /* bump, then FUTEX_WAKE (the bump is an atomic RMW: it drains) */
		:: else -> skip
		fi;
		seq++
	od;
	DRAIN;
dead:
	skip
}

#ifdef RELAXED
/* The store buffer drains on its own at any moment. */
active proctype drainer() {
end:	do
	:: buffered -> DRAIN
	od
}
#endif

active proctype consumer() {
	byte seen, i;
	do
	:: delivered == M -> break
	:: else ->
		if
		:: ppos != cpos ->            /* data: read the record at cpos */
			i = cpos % N;
			assert(hdr[i] == 2);      /* never a claim or a free record */
			assert(d1[i] == delivered + 1 && d2[i] == delivered + 1);   /* whole, in order */
			hdr[i] = 0;
			delivered++;
			cpos++                    /* release */
		:: ppos == cpos ->            /* nothing: park */
			seen = wakes;
			parked = 1;
#if defined(RELAXED) && defined(BARRIER)
			DRAIN;                    /* membarrier: the producer's buffered store is visible */
#endif
			if
			:: ppos != cpos -> parked = 0
			:: else ->
				if
				:: wakes != seen -> skip    /* woken */
				:: !alive -> goto peerdead  /* the recheck timeout finds the producer dead */
				fi;
				parked = 0
			fi
		fi
	od;
	goto done;
peerdead:
	assert(!alive);
done:
	skip
}
