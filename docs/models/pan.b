	switch (t->back) {
	default: Uerror("bad return move");
	case  0: goto R999; /* nothing to undo */

		 /* PROC :init: */

	case 3: // STATE 3
		;
		now.alive[3] = trpt->bup.ovals[2];
		now.alive[2] = trpt->bup.ovals[1];
		now.alive[1] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 3);
		goto R999;

	case 4: // STATE 4
		;
		;
		delproc(0, now._nr_pr-1);
		;
		goto R999;

	case 5: // STATE 5
		;
		;
		delproc(0, now._nr_pr-1);
		;
		goto R999;

	case 6: // STATE 6
		;
		;
		delproc(0, now._nr_pr-1);
		;
		goto R999;

	case 7: // STATE 8
		;
		p_restor(II);
		;
		;
		goto R999;

		 /* PROC locker */

	case 8: // STATE 1
		;
		now.alive[ Index(((P0 *)_this)->me, 4) ] = trpt->bup.oval;
		;
		goto R999;

	case 9: // STATE 2
		;
	/* 0 */	((P0 *)_this)->round = trpt->bup.oval;
		;
		;
		goto R999;

	case 10: // STATE 6
		;
		((P0 *)_this)->check = trpt->bup.ovals[1];
		((P0 *)_this)->died = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 11: // STATE 13
		;
		now.wb = trpt->bup.ovals[1];
		now.owner = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 12: // STATE 16
		goto R999;
;
		;
		
	case 14: // STATE 32
		;
		now.wb = trpt->bup.ovals[1];
		now.owner = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 15: // STATE 43
		goto R999;

	case 16: // STATE 37
		;
		((P0 *)_this)->died = trpt->bup.ovals[3];
		now.wb = trpt->bup.ovals[2];
		now.owner = trpt->bup.ovals[1];
	/* 0 */	((P0 *)_this)->check = trpt->bup.ovals[0];
		;
		;
		ungrab_ints(trpt->bup.ovals, 4);
		goto R999;

	case 17: // STATE 41
		;
		now.wb = trpt->bup.ovals[1];
		((P0 *)_this)->w = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 18: // STATE 50
		;
		now.asleep[ Index(((P0 *)_this)->me, 4) ] = trpt->bup.oval;
		;
		goto R999;
;
		;
		
	case 20: // STATE 57
		;
		((P0 *)_this)->check = trpt->bup.oval;
		;
		goto R999;

	case 21: // STATE 60
		;
		((P0 *)_this)->check = trpt->bup.ovals[2];
		now.asleep[ Index(((P0 *)_this)->me, 4) ] = trpt->bup.ovals[1];
	/* 0 */	((P0 *)_this)->w = trpt->bup.ovals[0];
		;
		;
		ungrab_ints(trpt->bup.ovals, 3);
		goto R999;
;
		;
		
	case 23: // STATE 68
		;
		now.wb = trpt->bup.ovals[2];
		now.owner = trpt->bup.ovals[1];
		((P0 *)_this)->wasWB = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 3);
		goto R999;

	case 24: // STATE 70
		;
	/* 0 */	((P0 *)_this)->wasWB = trpt->bup.oval;
		;
		;
		goto R999;

	case 25: // STATE 72
		;
		now.asleep[1] = trpt->bup.oval;
		;
		goto R999;
;
		
	case 26: // STATE 80
		goto R999;

	case 27: // STATE 74
		;
		now.asleep[2] = trpt->bup.oval;
		;
		goto R999;

	case 28: // STATE 76
		;
		now.asleep[3] = trpt->bup.oval;
		;
		goto R999;
;
		
	case 29: // STATE 78
		goto R999;
;
		;
		
	case 31: // STATE 88
		;
		((P0 *)_this)->died = trpt->bup.oval;
		;
		goto R999;
;
		;
		
	case 33: // STATE 94
		;
		now.status = trpt->bup.oval;
		;
		goto R999;

	case 34: // STATE 100
		;
		((P0 *)_this)->incrit = trpt->bup.ovals[1];
		now.incs = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		;
		
	case 36: // STATE 104
		;
	/* 0 */	((P0 *)_this)->died = trpt->bup.oval;
		;
		;
		goto R999;

	case 37: // STATE 105
		;
		now.dataok = trpt->bup.oval;
		;
		goto R999;

	case 38: // STATE 106
		;
		now.status = trpt->bup.oval;
		;
		goto R999;

	case 39: // STATE 118
		;
		now.dataok = trpt->bup.oval;
		;
		goto R999;

	case 40: // STATE 123
		;
		now.dataok = trpt->bup.oval;
		;
		goto R999;

	case 41: // STATE 129
		;
		((P0 *)_this)->incrit = trpt->bup.ovals[1];
		now.incs = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		;
		
	case 43: // STATE 132
		;
		now.status = trpt->bup.oval;
		;
		goto R999;

	case 44: // STATE 139
		;
		now.wb = trpt->bup.ovals[2];
		now.owner = trpt->bup.ovals[1];
		((P0 *)_this)->wasWB = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 3);
		goto R999;

	case 45: // STATE 141
		;
	/* 0 */	((P0 *)_this)->wasWB = trpt->bup.oval;
		;
		;
		goto R999;

	case 46: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.ovals[1];
		now.asleep[1] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 47: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.oval;
		;
		goto R999;

	case 48: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.ovals[1];
		now.asleep[2] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 49: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.ovals[1];
		now.asleep[3] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 50: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.oval;
		;
		goto R999;

	case 51: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.oval;
		;
		goto R999;

	case 52: // STATE 157
		;
		((P0 *)_this)->round = trpt->bup.oval;
		;
		goto R999;

	case 53: // STATE 163
		;
		now.asleep[ Index(((P0 *)_this)->me, 4) ] = trpt->bup.ovals[1];
		now.alive[ Index(((P0 *)_this)->me, 4) ] = trpt->bup.ovals[0];
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;

	case 54: // STATE 165
		;
		now.incs = trpt->bup.ovals[1];
	/* 0 */	((P0 *)_this)->incrit = trpt->bup.ovals[0];
		;
		;
		ungrab_ints(trpt->bup.ovals, 2);
		goto R999;
;
		
	case 55: // STATE 169
		goto R999;
;
		
	case 56: // STATE 167
		goto R999;

	case 57: // STATE 172
		;
		p_restor(II);
		;
		;
		goto R999;
	}

