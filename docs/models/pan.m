#define rand	pan_rand
#define pthread_equal(a,b)	((a)==(b))
#if defined(HAS_CODE) && defined(VERBOSE)
	#ifdef BFS_PAR
		bfs_printf("Pr: %d Tr: %d\n", II, t->forw);
	#else
		cpu_printf("Pr: %d Tr: %d\n", II, t->forw);
	#endif
#endif
	switch (t->forw) {
	default: Uerror("bad forward move");
	case 0:	/* if without executable clauses */
		continue;
	case 1: /* generic 'goto' or 'skip' */
		IfNotBlocked
		_m = 3; goto P999;
	case 2: /* generic 'else' */
		IfNotBlocked
		if (trpt->o_pm&1) continue;
		_m = 3; goto P999;

		 /* PROC :init: */
	case 3: // STATE 1 - mutex.pml:116 - [alive[1] = 1] (0:4:3 - 1)
		IfNotBlocked
		reached[1][1] = 1;
		(trpt+1)->bup.ovals = grab_ints(3);
		(trpt+1)->bup.ovals[0] = ((int)now.alive[1]);
		now.alive[1] = 1;
#ifdef VAR_RANGES
		logval("alive[1]", ((int)now.alive[1]));
#endif
		;
		/* merge: alive[2] = 1(4, 2, 4) */
		reached[1][2] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.alive[2]);
		now.alive[2] = 1;
#ifdef VAR_RANGES
		logval("alive[2]", ((int)now.alive[2]));
#endif
		;
		/* merge: alive[3] = 1(4, 3, 4) */
		reached[1][3] = 1;
		(trpt+1)->bup.ovals[2] = ((int)now.alive[3]);
		now.alive[3] = 1;
#ifdef VAR_RANGES
		logval("alive[3]", ((int)now.alive[3]));
#endif
		;
		_m = 3; goto P999; /* 2 */
	case 4: // STATE 4 - mutex.pml:117 - [(run locker(1))] (0:0:0 - 1)
		IfNotBlocked
		reached[1][4] = 1;
		if (!(addproc(II, 1, 0, 1)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 5: // STATE 5 - mutex.pml:117 - [(run locker(2))] (0:0:0 - 1)
		IfNotBlocked
		reached[1][5] = 1;
		if (!(addproc(II, 1, 0, 2)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 6: // STATE 6 - mutex.pml:117 - [(run locker(3))] (0:0:0 - 1)
		IfNotBlocked
		reached[1][6] = 1;
		if (!(addproc(II, 1, 0, 3)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 7: // STATE 8 - mutex.pml:119 - [-end-] (0:0:0 - 1)
		IfNotBlocked
		reached[1][8] = 1;
		if (!delproc(1, II)) continue;
		_m = 3; goto P999; /* 0 */

		 /* PROC locker */
	case 8: // STATE 1 - mutex.pml:53 - [alive[me] = 1] (0:0:1 - 1)
		IfNotBlocked
		reached[0][1] = 1;
		(trpt+1)->bup.oval = ((int)now.alive[ Index(((int)((P0 *)_this)->me), 4) ]);
		now.alive[ Index(((P0 *)_this)->me, 4) ] = 1;
#ifdef VAR_RANGES
		logval("alive[locker:me]", ((int)now.alive[ Index(((int)((P0 *)_this)->me), 4) ]));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 9: // STATE 2 - mutex.pml:55 - [((round==2))] (0:0:1 - 1)
		IfNotBlocked
		reached[0][2] = 1;
		if (!((((int)((P0 *)_this)->round)==2)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: round */  (trpt+1)->bup.oval = ((P0 *)_this)->round;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->round = 0;
		_m = 3; goto P999; /* 0 */
	case 10: // STATE 5 - mutex.pml:57 - [died = 0] (0:9:2 - 1)
		IfNotBlocked
		reached[0][5] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)((P0 *)_this)->died);
		((P0 *)_this)->died = 0;
#ifdef VAR_RANGES
		logval("locker:died", ((int)((P0 *)_this)->died));
#endif
		;
		/* merge: check = 0(9, 6, 9) */
		reached[0][6] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->check);
		((P0 *)_this)->check = 0;
#ifdef VAR_RANGES
		logval("locker:check", ((int)((P0 *)_this)->check));
#endif
		;
		_m = 3; goto P999; /* 1 */
	case 11: // STATE 11 - mutex.pml:59 - [((owner==0))] (91:0:2 - 1)
		IfNotBlocked
		reached[0][11] = 1;
		if (!((((int)now.owner)==0)))
			continue;
		/* merge: owner = me(91, 12, 91) */
		reached[0][12] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.owner);
		now.owner = ((int)((P0 *)_this)->me);
#ifdef VAR_RANGES
		logval("owner", ((int)now.owner));
#endif
		;
		/* merge: wb = 0(91, 13, 91) */
		reached[0][13] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.wb);
		now.wb = 0;
#ifdef VAR_RANGES
		logval("wb", ((int)now.wb));
#endif
		;
		/* merge: goto acquired(91, 14, 91) */
		reached[0][14] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 12: // STATE 16 - mutex.pml:59 - [(1)] (24:0:0 - 1)
		IfNotBlocked
		reached[0][16] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(0, 18, 24) */
		reached[0][18] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 13: // STATE 20 - mutex.pml:60 - [((status==2))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][20] = 1;
		if (!((((int)now.status)==2)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 14: // STATE 30 - mutex.pml:65 - [((owner==0))] (91:0:2 - 1)
		IfNotBlocked
		reached[0][30] = 1;
		if (!((((int)now.owner)==0)))
			continue;
		/* merge: owner = me(91, 31, 91) */
		reached[0][31] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.owner);
		now.owner = ((int)((P0 *)_this)->me);
#ifdef VAR_RANGES
		logval("owner", ((int)now.owner));
#endif
		;
		/* merge: wb = 1(91, 32, 91) */
		reached[0][32] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.wb);
		now.wb = 1;
#ifdef VAR_RANGES
		logval("wb", ((int)now.wb));
#endif
		;
		/* merge: goto acquired(91, 33, 91) */
		reached[0][33] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 15: // STATE 43 - mutex.pml:69 - [.(goto)] (0:47:0 - 1)
		IfNotBlocked
		reached[0][43] = 1;
		;
		_m = 3; goto P999; /* 0 */
	case 16: // STATE 34 - mutex.pml:66 - [((((owner!=0)&&check)&&!(alive[owner])))] (91:0:4 - 1)
		IfNotBlocked
		reached[0][34] = 1;
		if (!((((((int)now.owner)!=0)&&((int)((P0 *)_this)->check))&& !(((int)now.alive[ Index(((int)now.owner), 4) ])))))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: check */  (trpt+1)->bup.ovals = grab_ints(4);
		(trpt+1)->bup.ovals[0] = ((P0 *)_this)->check;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->check = 0;
		/* merge: owner = me(91, 35, 91) */
		reached[0][35] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.owner);
		now.owner = ((int)((P0 *)_this)->me);
#ifdef VAR_RANGES
		logval("owner", ((int)now.owner));
#endif
		;
		/* merge: wb = 1(91, 36, 91) */
		reached[0][36] = 1;
		(trpt+1)->bup.ovals[2] = ((int)now.wb);
		now.wb = 1;
#ifdef VAR_RANGES
		logval("wb", ((int)now.wb));
#endif
		;
		/* merge: died = 1(91, 37, 91) */
		reached[0][37] = 1;
		(trpt+1)->bup.ovals[3] = ((int)((P0 *)_this)->died);
		((P0 *)_this)->died = 1;
#ifdef VAR_RANGES
		logval("locker:died", ((int)((P0 *)_this)->died));
#endif
		;
		/* merge: goto acquired(91, 38, 91) */
		reached[0][38] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 17: // STATE 40 - mutex.pml:67 - [w = owner] (0:47:2 - 1)
		IfNotBlocked
		reached[0][40] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)((P0 *)_this)->w);
		((P0 *)_this)->w = ((int)now.owner);
#ifdef VAR_RANGES
		logval("locker:w", ((int)((P0 *)_this)->w));
#endif
		;
		/* merge: wb = 1(47, 41, 47) */
		reached[0][41] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.wb);
		now.wb = 1;
#ifdef VAR_RANGES
		logval("wb", ((int)now.wb));
#endif
		;
		/* merge: .(goto)(47, 43, 47) */
		reached[0][43] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 18: // STATE 49 - mutex.pml:71 - [(((owner==w)&&wb))] (62:0:1 - 1)
		IfNotBlocked
		reached[0][49] = 1;
		if (!(((((int)now.owner)==((int)((P0 *)_this)->w))&&((int)now.wb))))
			continue;
		/* merge: asleep[me] = 1(62, 50, 62) */
		reached[0][50] = 1;
		(trpt+1)->bup.oval = ((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]);
		now.asleep[ Index(((P0 *)_this)->me, 4) ] = 1;
#ifdef VAR_RANGES
		logval("asleep[locker:me]", ((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]));
#endif
		;
		/* merge: .(goto)(62, 54, 62) */
		reached[0][54] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 19: // STATE 56 - mutex.pml:74 - [(!(asleep[me]))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][56] = 1;
		if (!( !(((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]))))
			continue;
		_m = 3; goto P999; /* 0 */
	case 20: // STATE 57 - mutex.pml:74 - [check = 0] (0:0:1 - 1)
		IfNotBlocked
		reached[0][57] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->check);
		((P0 *)_this)->check = 0;
#ifdef VAR_RANGES
		logval("locker:check", ((int)((P0 *)_this)->check));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 21: // STATE 58 - mutex.pml:76 - [((asleep[me]&&(!(alive[w])||(owner!=w))))] (28:0:3 - 1)
		IfNotBlocked
		reached[0][58] = 1;
		if (!((((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ])&&( !(((int)now.alive[ Index(((int)((P0 *)_this)->w), 4) ]))||(((int)now.owner)!=((int)((P0 *)_this)->w))))))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: w */  (trpt+1)->bup.ovals = grab_ints(3);
		(trpt+1)->bup.ovals[0] = ((P0 *)_this)->w;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->w = 0;
		/* merge: asleep[me] = 0(28, 59, 28) */
		reached[0][59] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]);
		now.asleep[ Index(((P0 *)_this)->me, 4) ] = 0;
#ifdef VAR_RANGES
		logval("asleep[locker:me]", ((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]));
#endif
		;
		/* merge: check = 1(28, 60, 28) */
		reached[0][60] = 1;
		(trpt+1)->bup.ovals[2] = ((int)((P0 *)_this)->check);
		((P0 *)_this)->check = 1;
#ifdef VAR_RANGES
		logval("locker:check", ((int)((P0 *)_this)->check));
#endif
		;
		/* merge: .(goto)(0, 63, 28) */
		reached[0][63] = 1;
		;
		/* merge: goto slow(0, 64, 28) */
		reached[0][64] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 22: // STATE 65 - mutex.pml:83 - [((status==2))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][65] = 1;
		if (!((((int)now.status)==2)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 23: // STATE 66 - mutex.pml:84 - [wasWB = wb] (0:84:3 - 1)
		IfNotBlocked
		reached[0][66] = 1;
		(trpt+1)->bup.ovals = grab_ints(3);
		(trpt+1)->bup.ovals[0] = ((int)((P0 *)_this)->wasWB);
		((P0 *)_this)->wasWB = ((int)now.wb);
#ifdef VAR_RANGES
		logval("locker:wasWB", ((int)((P0 *)_this)->wasWB));
#endif
		;
		/* merge: owner = 0(84, 67, 84) */
		reached[0][67] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.owner);
		now.owner = 0;
#ifdef VAR_RANGES
		logval("owner", ((int)now.owner));
#endif
		;
		/* merge: wb = 0(84, 68, 84) */
		reached[0][68] = 1;
		(trpt+1)->bup.ovals[2] = ((int)now.wb);
		now.wb = 0;
#ifdef VAR_RANGES
		logval("wb", ((int)now.wb));
#endif
		;
		_m = 3; goto P999; /* 2 */
	case 24: // STATE 70 - mutex.pml:85 - [(wasWB)] (0:0:1 - 1)
		IfNotBlocked
		reached[0][70] = 1;
		if (!(((int)((P0 *)_this)->wasWB)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: wasWB */  (trpt+1)->bup.oval = ((P0 *)_this)->wasWB;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->wasWB = 0;
		_m = 3; goto P999; /* 0 */
	case 25: // STATE 71 - mutex.pml:85 - [(asleep[1])] (171:0:1 - 1)
		IfNotBlocked
		reached[0][71] = 1;
		if (!(((int)now.asleep[1])))
			continue;
		/* merge: asleep[1] = 0(171, 72, 171) */
		reached[0][72] = 1;
		(trpt+1)->bup.oval = ((int)now.asleep[1]);
		now.asleep[1] = 0;
#ifdef VAR_RANGES
		logval("asleep[1]", ((int)now.asleep[1]));
#endif
		;
		/* merge: .(goto)(171, 80, 171) */
		reached[0][80] = 1;
		;
		/* merge: .(goto)(0, 85, 171) */
		reached[0][85] = 1;
		;
		/* merge: goto :b0(0, 86, 171) */
		reached[0][86] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 26: // STATE 80 - mutex.pml:85 - [.(goto)] (0:171:0 - 4)
		IfNotBlocked
		reached[0][80] = 1;
		;
		/* merge: .(goto)(0, 85, 171) */
		reached[0][85] = 1;
		;
		/* merge: goto :b0(0, 86, 171) */
		reached[0][86] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 27: // STATE 73 - mutex.pml:85 - [(asleep[2])] (171:0:1 - 1)
		IfNotBlocked
		reached[0][73] = 1;
		if (!(((int)now.asleep[2])))
			continue;
		/* merge: asleep[2] = 0(171, 74, 171) */
		reached[0][74] = 1;
		(trpt+1)->bup.oval = ((int)now.asleep[2]);
		now.asleep[2] = 0;
#ifdef VAR_RANGES
		logval("asleep[2]", ((int)now.asleep[2]));
#endif
		;
		/* merge: .(goto)(171, 80, 171) */
		reached[0][80] = 1;
		;
		/* merge: .(goto)(0, 85, 171) */
		reached[0][85] = 1;
		;
		/* merge: goto :b0(0, 86, 171) */
		reached[0][86] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 28: // STATE 75 - mutex.pml:85 - [(asleep[3])] (171:0:1 - 1)
		IfNotBlocked
		reached[0][75] = 1;
		if (!(((int)now.asleep[3])))
			continue;
		/* merge: asleep[3] = 0(171, 76, 171) */
		reached[0][76] = 1;
		(trpt+1)->bup.oval = ((int)now.asleep[3]);
		now.asleep[3] = 0;
#ifdef VAR_RANGES
		logval("asleep[3]", ((int)now.asleep[3]));
#endif
		;
		/* merge: .(goto)(171, 80, 171) */
		reached[0][80] = 1;
		;
		/* merge: .(goto)(0, 85, 171) */
		reached[0][85] = 1;
		;
		/* merge: goto :b0(0, 86, 171) */
		reached[0][86] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 29: // STATE 78 - mutex.pml:85 - [(1)] (171:0:0 - 1)
		IfNotBlocked
		reached[0][78] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(171, 80, 171) */
		reached[0][80] = 1;
		;
		/* merge: .(goto)(0, 85, 171) */
		reached[0][85] = 1;
		;
		/* merge: goto :b0(0, 86, 171) */
		reached[0][86] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 30: // STATE 87 - mutex.pml:87 - [((status==1))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][87] = 1;
		if (!((((int)now.status)==1)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 31: // STATE 88 - mutex.pml:87 - [died = 1] (0:0:1 - 1)
		IfNotBlocked
		reached[0][88] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->died);
		((P0 *)_this)->died = 1;
#ifdef VAR_RANGES
		logval("locker:died", ((int)((P0 *)_this)->died));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 32: // STATE 93 - mutex.pml:90 - [(died)] (0:0:0 - 1)
		IfNotBlocked
		reached[0][93] = 1;
		if (!(((int)((P0 *)_this)->died)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 33: // STATE 94 - mutex.pml:90 - [status = 1] (0:0:1 - 1)
		IfNotBlocked
		reached[0][94] = 1;
		(trpt+1)->bup.oval = ((int)now.status);
		now.status = 1;
#ifdef VAR_RANGES
		logval("status", ((int)now.status));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 34: // STATE 99 - mutex.pml:91 - [incs = (incs+1)] (0:103:2 - 1)
		IfNotBlocked
		reached[0][99] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.incs);
		now.incs = (((int)now.incs)+1);
#ifdef VAR_RANGES
		logval("incs", ((int)now.incs));
#endif
		;
		/* merge: incrit = 1(103, 100, 103) */
		reached[0][100] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->incrit);
		((P0 *)_this)->incrit = 1;
#ifdef VAR_RANGES
		logval("locker:incrit", ((int)((P0 *)_this)->incrit));
#endif
		;
		/* merge: assert((incs==1))(103, 101, 103) */
		reached[0][101] = 1;
		spin_assert((((int)now.incs)==1), "(incs==1)", II, tt, t);
		_m = 3; goto P999; /* 2 */
	case 35: // STATE 103 - mutex.pml:92 - [assert((died||dataok))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][103] = 1;
		spin_assert((((int)((P0 *)_this)->died)||((int)now.dataok)), "(died||dataok)", II, tt, t);
		_m = 3; goto P999; /* 0 */
	case 36: // STATE 104 - mutex.pml:94 - [(died)] (0:0:1 - 1)
		IfNotBlocked
		reached[0][104] = 1;
		if (!(((int)((P0 *)_this)->died)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: died */  (trpt+1)->bup.oval = ((P0 *)_this)->died;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->died = 0;
		_m = 3; goto P999; /* 0 */
	case 37: // STATE 105 - mutex.pml:94 - [dataok = 1] (0:0:1 - 1)
		IfNotBlocked
		reached[0][105] = 1;
		(trpt+1)->bup.oval = ((int)now.dataok);
		now.dataok = 1;
#ifdef VAR_RANGES
		logval("dataok", ((int)now.dataok));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 38: // STATE 106 - mutex.pml:94 - [status = 0] (0:0:1 - 1)
		IfNotBlocked
		reached[0][106] = 1;
		(trpt+1)->bup.oval = ((int)now.status);
		now.status = 0;
#ifdef VAR_RANGES
		logval("status", ((int)now.status));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 39: // STATE 118 - mutex.pml:97 - [dataok = 0] (0:0:1 - 2)
		IfNotBlocked
		reached[0][118] = 1;
		(trpt+1)->bup.oval = ((int)now.dataok);
		now.dataok = 0;
#ifdef VAR_RANGES
		logval("dataok", ((int)now.dataok));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 40: // STATE 123 - mutex.pml:98 - [dataok = 1] (0:0:1 - 2)
		IfNotBlocked
		reached[0][123] = 1;
		(trpt+1)->bup.oval = ((int)now.dataok);
		now.dataok = 1;
#ifdef VAR_RANGES
		logval("dataok", ((int)now.dataok));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 41: // STATE 128 - mutex.pml:100 - [incs = (incs-1)] (0:135:2 - 1)
		IfNotBlocked
		reached[0][128] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.incs);
		now.incs = (((int)now.incs)-1);
#ifdef VAR_RANGES
		logval("incs", ((int)now.incs));
#endif
		;
		/* merge: incrit = 0(135, 129, 135) */
		reached[0][129] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->incrit);
		((P0 *)_this)->incrit = 0;
#ifdef VAR_RANGES
		logval("locker:incrit", ((int)((P0 *)_this)->incrit));
#endif
		;
		_m = 3; goto P999; /* 1 */
	case 42: // STATE 131 - mutex.pml:102 - [((status==1))] (0:0:0 - 1)
		IfNotBlocked
		reached[0][131] = 1;
		if (!((((int)now.status)==1)))
			continue;
		_m = 3; goto P999; /* 0 */
	case 43: // STATE 132 - mutex.pml:102 - [status = 2] (0:0:1 - 1)
		IfNotBlocked
		reached[0][132] = 1;
		(trpt+1)->bup.oval = ((int)now.status);
		now.status = 2;
#ifdef VAR_RANGES
		logval("status", ((int)now.status));
#endif
		;
		_m = 3; goto P999; /* 0 */
	case 44: // STATE 137 - mutex.pml:103 - [wasWB = wb] (0:155:3 - 1)
		IfNotBlocked
		reached[0][137] = 1;
		(trpt+1)->bup.ovals = grab_ints(3);
		(trpt+1)->bup.ovals[0] = ((int)((P0 *)_this)->wasWB);
		((P0 *)_this)->wasWB = ((int)now.wb);
#ifdef VAR_RANGES
		logval("locker:wasWB", ((int)((P0 *)_this)->wasWB));
#endif
		;
		/* merge: owner = 0(155, 138, 155) */
		reached[0][138] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.owner);
		now.owner = 0;
#ifdef VAR_RANGES
		logval("owner", ((int)now.owner));
#endif
		;
		/* merge: wb = 0(155, 139, 155) */
		reached[0][139] = 1;
		(trpt+1)->bup.ovals[2] = ((int)now.wb);
		now.wb = 0;
#ifdef VAR_RANGES
		logval("wb", ((int)now.wb));
#endif
		;
		_m = 3; goto P999; /* 2 */
	case 45: // STATE 141 - mutex.pml:104 - [(wasWB)] (0:0:1 - 1)
		IfNotBlocked
		reached[0][141] = 1;
		if (!(((int)((P0 *)_this)->wasWB)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: wasWB */  (trpt+1)->bup.oval = ((P0 *)_this)->wasWB;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->wasWB = 0;
		_m = 3; goto P999; /* 0 */
	case 46: // STATE 142 - mutex.pml:104 - [(asleep[1])] (158:0:2 - 1)
		IfNotBlocked
		reached[0][142] = 1;
		if (!(((int)now.asleep[1])))
			continue;
		/* merge: asleep[1] = 0(158, 143, 158) */
		reached[0][143] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.asleep[1]);
		now.asleep[1] = 0;
#ifdef VAR_RANGES
		logval("asleep[1]", ((int)now.asleep[1]));
#endif
		;
		/* merge: .(goto)(158, 151, 158) */
		reached[0][151] = 1;
		;
		/* merge: .(goto)(158, 156, 158) */
		reached[0][156] = 1;
		;
		/* merge: round = (round+1)(158, 157, 158) */
		reached[0][157] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 5 */
	case 47: // STATE 151 - mutex.pml:104 - [.(goto)] (0:158:1 - 4)
		IfNotBlocked
		reached[0][151] = 1;
		;
		/* merge: .(goto)(158, 156, 158) */
		reached[0][156] = 1;
		;
		/* merge: round = (round+1)(158, 157, 158) */
		reached[0][157] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 48: // STATE 144 - mutex.pml:104 - [(asleep[2])] (158:0:2 - 1)
		IfNotBlocked
		reached[0][144] = 1;
		if (!(((int)now.asleep[2])))
			continue;
		/* merge: asleep[2] = 0(158, 145, 158) */
		reached[0][145] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.asleep[2]);
		now.asleep[2] = 0;
#ifdef VAR_RANGES
		logval("asleep[2]", ((int)now.asleep[2]));
#endif
		;
		/* merge: .(goto)(158, 151, 158) */
		reached[0][151] = 1;
		;
		/* merge: .(goto)(158, 156, 158) */
		reached[0][156] = 1;
		;
		/* merge: round = (round+1)(158, 157, 158) */
		reached[0][157] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 5 */
	case 49: // STATE 146 - mutex.pml:104 - [(asleep[3])] (158:0:2 - 1)
		IfNotBlocked
		reached[0][146] = 1;
		if (!(((int)now.asleep[3])))
			continue;
		/* merge: asleep[3] = 0(158, 147, 158) */
		reached[0][147] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.asleep[3]);
		now.asleep[3] = 0;
#ifdef VAR_RANGES
		logval("asleep[3]", ((int)now.asleep[3]));
#endif
		;
		/* merge: .(goto)(158, 151, 158) */
		reached[0][151] = 1;
		;
		/* merge: .(goto)(158, 156, 158) */
		reached[0][156] = 1;
		;
		/* merge: round = (round+1)(158, 157, 158) */
		reached[0][157] = 1;
		(trpt+1)->bup.ovals[1] = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 5 */
	case 50: // STATE 149 - mutex.pml:104 - [(1)] (158:0:1 - 1)
		IfNotBlocked
		reached[0][149] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(158, 151, 158) */
		reached[0][151] = 1;
		;
		/* merge: .(goto)(158, 156, 158) */
		reached[0][156] = 1;
		;
		/* merge: round = (round+1)(158, 157, 158) */
		reached[0][157] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 4 */
	case 51: // STATE 154 - mutex.pml:104 - [(1)] (158:0:1 - 1)
		IfNotBlocked
		reached[0][154] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(158, 156, 158) */
		reached[0][156] = 1;
		;
		/* merge: round = (round+1)(158, 157, 158) */
		reached[0][157] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 3 */
	case 52: // STATE 157 - mutex.pml:105 - [round = (round+1)] (0:158:1 - 3)
		IfNotBlocked
		reached[0][157] = 1;
		(trpt+1)->bup.oval = ((int)((P0 *)_this)->round);
		((P0 *)_this)->round = (((int)((P0 *)_this)->round)+1);
#ifdef VAR_RANGES
		logval("locker:round", ((int)((P0 *)_this)->round));
#endif
		;
		/* merge: .(goto)(0, 159, 158) */
		reached[0][159] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 53: // STATE 162 - mutex.pml:109 - [alive[me] = 0] (0:168:2 - 1)
		IfNotBlocked
		reached[0][162] = 1;
		(trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((int)now.alive[ Index(((int)((P0 *)_this)->me), 4) ]);
		now.alive[ Index(((P0 *)_this)->me, 4) ] = 0;
#ifdef VAR_RANGES
		logval("alive[locker:me]", ((int)now.alive[ Index(((int)((P0 *)_this)->me), 4) ]));
#endif
		;
		/* merge: asleep[me] = 0(168, 163, 168) */
		reached[0][163] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]);
		now.asleep[ Index(((P0 *)_this)->me, 4) ] = 0;
#ifdef VAR_RANGES
		logval("asleep[locker:me]", ((int)now.asleep[ Index(((int)((P0 *)_this)->me), 4) ]));
#endif
		;
		_m = 3; goto P999; /* 1 */
	case 54: // STATE 164 - mutex.pml:109 - [(incrit)] (171:0:2 - 1)
		IfNotBlocked
		reached[0][164] = 1;
		if (!(((int)((P0 *)_this)->incrit)))
			continue;
		if (TstOnly) return 1; /* TT */
		/* dead 1: incrit */  (trpt+1)->bup.ovals = grab_ints(2);
		(trpt+1)->bup.ovals[0] = ((P0 *)_this)->incrit;
#ifdef HAS_CODE
		if (!readtrail)
#endif
			((P0 *)_this)->incrit = 0;
		/* merge: incs = (incs-1)(171, 165, 171) */
		reached[0][165] = 1;
		(trpt+1)->bup.ovals[1] = ((int)now.incs);
		now.incs = (((int)now.incs)-1);
#ifdef VAR_RANGES
		logval("incs", ((int)now.incs));
#endif
		;
		/* merge: .(goto)(171, 169, 171) */
		reached[0][169] = 1;
		;
		_m = 3; goto P999; /* 2 */
	case 55: // STATE 169 - mutex.pml:109 - [.(goto)] (0:171:0 - 2)
		IfNotBlocked
		reached[0][169] = 1;
		;
		_m = 3; goto P999; /* 0 */
	case 56: // STATE 167 - mutex.pml:109 - [(1)] (171:0:0 - 1)
		IfNotBlocked
		reached[0][167] = 1;
		if (!(1))
			continue;
		/* merge: .(goto)(171, 169, 171) */
		reached[0][169] = 1;
		;
		_m = 3; goto P999; /* 1 */
	case 57: // STATE 172 - mutex.pml:112 - [-end-] (0:0:0 - 1)
		IfNotBlocked
		reached[0][172] = 1;
		if (!delproc(1, II)) continue;
		_m = 3; goto P999; /* 0 */
	case  _T5:	/* np_ */
		if (!((!(trpt->o_pm&4) && !(trpt->tau&128))))
			continue;
		/* else fall through */
	case  _T2:	/* true */
		_m = 3; goto P999;
#undef rand
	}

