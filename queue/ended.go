package queue

import "github.com/shmkit/shmkit/internal/live"

// ended reports whether the queue is at its end: a producer has attached
// since it was made, none is attached now (one whose process died counts
// as closed), and nothing is left to take. The producers are looked at
// before the positions: a producer commits before it detaches, so a
// message it put is seen here if its detach was.
//
// The look at the producers counts only if no producer joined meanwhile
// (see roster.go).
func (q *Queue) ended() bool {
	if q.recov.opened.Load() == 0 {
		return false
	}
	gen, still := q.rosterBefore()
	if !still {
		return false
	}
	for i := range q.prods {
		// An entry being settled (reclaimBit) holds its new owner's
		// token: one that died settling it is closed too.
		tok := q.prods[i].token.Load()
		if tok != 0 && live.Alive(live.Token(tok&^reclaimBit)) {
			return false
		}
	}
	if !q.rosterAfter(gen) {
		return false
	}
	h := q.head.Load()
	return q.tail.Load() == h
}
