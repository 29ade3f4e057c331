/*
 * futex.Mutex, the robust process-shared lock (futex/mutex.go): P processes
 * each lock it R times, update the data it guards in two steps, and unlock.
 *
 * The lock word holds the owner (0: free) and the waiters bit, changed
 * together by compare-and-swap. A locker takes a free lock (with the
 * waiters bit if it came by the slow path, so that its unlock wakes the
 * next); it sets the waiters bit and sleeps on the word (a futex wait: it
 * sleeps only if the word still holds what it expects); it takes the lock
 * from a dead owner, reporting ErrOwnerDead, when a timed-out wait finds
 * the owner dead. Unlock clears the word and wakes one sleeper if the bit
 * was set. Status: 0 consistent, 1 owner died (the heir must repair and
 * MarkConsistent), 2 unrecoverable (an heir unlocked without repairing:
 * every later Lock fails).
 *
 * With CRASHES defined, any process may die (SIGKILL) at any step; its
 * futex wait ends (the kernel drops it), and a sleeper's recheck timeout
 * fires when waiting can no longer be ended by a wake-up: its owner is
 * dead, or the wake-up went to a process that died before using it.
 * Without CRASHES there are no timeouts at all, so a lost wake-up is a
 * deadlock that spin reports.
 *
 * Properties:
 *   - mutual exclusion: at most one live process in the critical section;
 *   - fail closed: a lock handed over without ErrOwnerDead never guards
 *     half-updated data (status 2 stops it for good);
 *   - no lost wake-up, and no deadlock: no invalid end state.
 */

#define P 3
#define R 2

byte owner = 0;     /* pid of the owner, 0 when free */
bit wb = 0;         /* waiters bit, in the same word */
byte status = 0;
bit dataok = 1;     /* the guarded data is consistent */
byte incs = 0;      /* live processes in the critical section */
bit alive[P+1];
bit asleep[P+1];    /* in the kernel's futex queue */

#ifdef CRASHES
#define CRASH if :: goto dead :: true fi
#else
#define CRASH skip
#endif

/* FUTEX_WAKE of one sleeper, if any */
#define WAKEONE atomic { if :: asleep[1] -> asleep[1] = 0 :: asleep[2] -> asleep[2] = 0 :: asleep[3] -> asleep[3] = 0 :: else -> skip fi }

proctype locker(byte me) {
	byte w, round = 0;
	bit died, check, incrit, wasWB;
	alive[me] = 1;
	do
	:: round == R -> break
	:: else ->
		died = 0; check = 0;
		CRASH;
		atomic { if :: owner == 0 -> owner = me; wb = 0; goto acquired :: else -> skip fi };
		if :: status == 2 -> break :: else -> skip fi;   /* lockSlow: unrecoverable */
slow:
		CRASH;
		atomic {
			if
			:: owner == 0 -> owner = me; wb = 1; goto acquired
			:: owner != 0 && check && !alive[owner] -> owner = me; wb = 1; died = 1; goto acquired
			:: else -> w = owner; wb = 1
			fi
		};
		CRASH;
		atomic { if :: owner == w && wb -> asleep[me] = 1 :: else -> goto slow fi };
		/* asleep until woken, or (crashes only) until the recheck timeout finds waiting useless */
		if
		:: !asleep[me] -> check = 0
#ifdef CRASHES
		:: atomic { asleep[me] && (!alive[w] || owner != w) -> asleep[me] = 0; check = 1 }
#endif
		fi;
		goto slow;
acquired:
		/* acquired(): status decides what Lock returns */
		if
		:: status == 2 ->
			atomic { wasWB = wb; owner = 0; wb = 0 };
			if :: wasWB -> WAKEONE :: else -> skip fi;
			break                                   /* ErrNotRecoverable */
		:: status == 1 -> died = 1
		:: else -> skip
		fi;
		if :: died -> status = 1 :: else -> skip fi;
		atomic { incs++; incrit = 1; assert(incs == 1) };         /* mutual exclusion */
		assert(died || dataok);                                   /* fail closed */
		if
		:: died -> if :: dataok = 1; status = 0 :: skip fi          /* repair and MarkConsistent, or not */
		:: else -> skip
		fi;
		CRASH; dataok = 0;
		CRASH; dataok = 1;
		CRASH;
		atomic { incs--; incrit = 0 };
		/* Unlock */
		if :: status == 1 -> status = 2 :: else -> skip fi;
		atomic { wasWB = wb; owner = 0; wb = 0 };
		if :: wasWB -> WAKEONE :: else -> skip fi;
		round++
	od;
	goto done;
dead:
	atomic { alive[me] = 0; asleep[me] = 0; if :: incrit -> incs-- :: else -> skip fi };
done:
	skip
}

init {
	atomic {
		alive[1] = 1; alive[2] = 1; alive[3] = 1;
		run locker(1); run locker(2); run locker(3)
	}
}
