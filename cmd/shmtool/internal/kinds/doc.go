// Package kinds is shmtool's one table of the kinds of segment it knows:
// for each, the kind's own package's shm.Inspector (for inspect), how to
// create one from a plain Params (for create; a pool, which only a
// running program makes, has none, and Create says so), and, for kinds
// that carry messages or tasks, how to read their counters (for watch).
// It also holds the basic element types that values and arrays are made
// of, and decodes their elements (for dump).
//
//	k, ok := kinds.Lookup("ring")
//	if !ok {
//		return fmt.Errorf("this build creates %v", kinds.CreatableNames())
//	}
//	seg, err := k.Create("orders", kinds.Params{Size: 64 << 10}, nil)
//	if errors.Is(err, kinds.ErrUsage) {
//		// the parameters do not suit the kind: a usage error
//	}
//
// Adding a kind adds one line to the table (table.go), and touches
// nothing else in the tool but the stress table, if the kind has a stress
// worker. The package returns values and prints nothing.
//
// # Caveats
//
// Params mirror create's flags, and the errors that say what is wrong
// with them name them by their flags (--size, --type, ...), because
// create reports them as they are. A segment that Create returns belongs
// to the caller, who closes it; the handle of the kind's own package that
// made it is not returned.
//
// Do not use it from programs other than shmtool: each kind's own package
// is the API, with typed constructors.
package kinds
