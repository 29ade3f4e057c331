package kinds

import (
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// Kind is what shmtool knows of one kind of segment. Its methods are safe
// for concurrent use.
type Kind struct {
	// Inspector names the kind and decodes its state from a read-only
	// segment, for inspect's "state".
	shm.Inspector
	// create makes a segment of the kind from p; nil for a kind that
	// only a running program makes (a pool), when madeBy says what does.
	create func(name string, p Params, o *shm.Options) (*shm.Segment, error)
	madeBy string
	// flow reads the counters of a kind that carries messages (or a
	// pool's tasks), for watch; nil for other kinds.
	flow func(seg *shm.Segment) (Flow, error)
}

// Create makes a segment of the kind called name from p. An error that
// is p's fault wraps ErrUsage, and so does asking for a kind that only a
// running program can make.
func (k Kind) Create(name string, p Params, o *shm.Options) (*shm.Segment, error) {
	if k.create == nil {
		return nil, usagef("--kind %s: a %s is created by %s, not by shmtool create", k.Kind(), k.Kind(), k.madeBy)
	}
	return k.create(name, p, o)
}

// Creatable reports whether Create can make a segment of the kind.
func (k Kind) Creatable() bool { return k.create != nil }

// kindTable is the table of kinds, in the order help lists them, and by
// name.
type kindTable struct {
	names  []string
	byName map[string]Kind
}

func newTable(ks ...Kind) kindTable {
	t := kindTable{byName: map[string]Kind{}}
	for _, k := range ks {
		if _, dup := t.byName[k.Kind()]; dup {
			panic("kinds: kind " + k.Kind() + " listed twice") // a mistake in the table, found by every test
		}
		if (k.create == nil) == (k.madeBy == "") {
			panic("kinds: kind " + k.Kind() + " needs either a create or a madeBy") // likewise
		}
		t.names = append(t.names, k.Kind())
		t.byName[k.Kind()] = k
	}
	return t
}

// Lookup returns the kind called name.
func Lookup(name string) (Kind, bool) {
	k, ok := table.byName[name]
	return k, ok
}

// Names lists the kinds, in the table's order.
func Names() []string { return append([]string(nil), table.names...) }

// CreatableNames lists the kinds Create can make, in the table's order:
// Names without those only a running program makes.
func CreatableNames() []string {
	var names []string
	for _, n := range table.names {
		if table.byName[n].Creatable() {
			names = append(names, n)
		}
	}
	return names
}

// Inspect returns the state of seg as its kind's Inspector decodes it: a
// struct, which encoding/json renders as inspect's "state". A kind this
// build does not know has an empty state.
func Inspect(seg *shm.Segment) (any, error) {
	k, ok := table.byName[seg.Kind()]
	if !ok {
		return struct{}{}, nil
	}
	return k.Inspect(seg)
}

// inspectorOf returns the Inspector of kind name among ins.
func inspectorOf(ins []shm.Inspector, name string) shm.Inspector {
	for _, in := range ins {
		if in.Kind() == name {
			return in
		}
	}
	panic(fmt.Sprintf("kinds: no inspector for kind %q", name)) // a mistake in the table, found by every test
}

// rawInspector is the raw kind's: a segment with no state of its own.
type rawInspector struct{}

func (rawInspector) Kind() string                      { return "raw" }
func (rawInspector) Inspect(*shm.Segment) (any, error) { return struct{}{}, nil }
