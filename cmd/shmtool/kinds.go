package main

import "github.com/shmkit/shmkit/shm"

// stateFunc decodes a kind's live state from a read-only segment, for
// inspect's "state". Each object package exports one; adding a kind adds
// a line here and touches nothing else in the tool.
type stateFunc func(seg *shm.Segment) (map[string]any, error)

var kinds = map[string]stateFunc{
	"raw": func(*shm.Segment) (map[string]any, error) { return map[string]any{}, nil },
}

// kindState returns the segment's state, or an empty object for a kind
// this build of shmtool does not know.
func kindState(seg *shm.Segment) (map[string]any, error) {
	if f := kinds[seg.Kind()]; f != nil {
		return f(seg)
	}
	return map[string]any{}, nil
}
