package main

import (
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// kindTable is the table of kinds, in the order help lists them, and by
// name.
type kindTable struct {
	names  []string
	byName map[string]kind
}

func table(ks ...kind) kindTable {
	t := kindTable{byName: map[string]kind{}}
	for _, k := range ks {
		if _, dup := t.byName[k.Kind()]; dup {
			panic("shmtool: kind " + k.Kind() + " listed twice") // a mistake in the table, found by every test
		}
		t.names = append(t.names, k.Kind())
		t.byName[k.Kind()] = k
	}
	return t
}

// lookup returns the kind called name.
func (t kindTable) lookup(name string) (kind, bool) {
	k, ok := t.byName[name]
	return k, ok
}

// inspectorOf returns the Inspector of kind name among ins.
func inspectorOf(ins []shm.Inspector, name string) shm.Inspector {
	for _, in := range ins {
		if in.Kind() == name {
			return in
		}
	}
	panic(fmt.Sprintf("shmtool: no inspector for kind %q", name)) // a mistake in the table, found by every test
}

// rawInspector is the raw kind's: a segment with no state of its own.
type rawInspector struct{}

func (rawInspector) Kind() string                      { return "raw" }
func (rawInspector) Inspect(*shm.Segment) (any, error) { return struct{}{}, nil }
