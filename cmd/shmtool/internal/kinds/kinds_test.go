package kinds

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// every lists Params that suit each kind, for tests.
var every = map[string]Params{
	"raw":       {Size: 4096},
	"mutex":     {},
	"event":     {},
	"barrier":   {Parties: 2},
	"value":     {Type: "int64"},
	"array":     {Type: "uint32", Len: 100},
	"ring":      {Size: 64 << 10},
	"stream":    {Size: 64 << 10},
	"queue":     {Size: 64 << 10, Slot: 256},
	"dict":      {Size: 64 << 10, MaxKey: 16, MaxValue: 64},
	"semaphore": {Value: 2, Tracked: true},
	"cond":      {},
	"pool":      {}, // refused: a program makes a pool (TestCreatePool)
}

func TestTable(t *testing.T) {
	names := Names()
	if len(names) != len(every) {
		t.Fatalf("Names() = %v, want the %d kinds of every", names, len(every))
	}
	for _, name := range names {
		k, ok := Lookup(name)
		if !ok || k.Kind() != name {
			t.Errorf("Lookup(%q) = %v, %v; want the kind", name, k.Inspector, ok)
		}
		if _, ok := every[name]; !ok {
			t.Errorf("kind %q has no Params in every", name)
		}
	}
	names[0] = "changed"
	if Names()[0] == "changed" {
		t.Error("Names() returns the table's own slice")
	}
	if _, ok := Lookup("teapot"); ok {
		t.Error(`Lookup("teapot") found a kind`)
	}
}

// create makes a segment of kind from p in a directory of the test's own.
func create(t *testing.T, kind string, p Params) (*shm.Segment, error) {
	t.Helper()
	k, ok := Lookup(kind)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", kind)
	}
	seg, err := k.Create(filepath.Join(t.TempDir(), kind), p, nil)
	if err == nil {
		t.Cleanup(func() { seg.Close() })
	}
	return seg, err
}

// Every kind that can be created is created from its Params, is of that
// kind, and inspects; those that carry messages, and only those, have a
// flow.
func TestCreateEveryKind(t *testing.T) {
	for _, name := range CreatableNames() {
		t.Run(name, func(t *testing.T) {
			seg, err := create(t, name, every[name])
			if err != nil {
				t.Fatalf("Create(%+v): %v", every[name], err)
			}
			if seg.Kind() != name {
				t.Fatalf("Create made a %q segment", seg.Kind())
			}
			if _, err := Inspect(seg); err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			fl, err := ReadFlow(seg)
			switch name {
			case "ring", "stream", "queue":
				if err != nil || fl.Capacity == 0 {
					t.Fatalf("ReadFlow = %+v, %v; want a capacity", fl, err)
				}
			default:
				if !errors.Is(err, ErrNoFlow) {
					t.Fatalf("ReadFlow = %+v, %v; want ErrNoFlow", fl, err)
				}
			}
		})
	}
}

// A ring's longest message defaults to a quarter of it, less a header.
func TestRingMaxMessage(t *testing.T) {
	for _, tt := range []struct{ maxMsg, want int }{{0, 64<<10/4 - 8}, {1000, 1000}} {
		seg, err := create(t, "ring", Params{Size: 64 << 10, MaxMessage: tt.maxMsg})
		if err != nil {
			t.Fatal(err)
		}
		if st, err := ringbuf.Inspect(seg); err != nil || st.MaxMessage != uint64(tt.want) {
			t.Errorf("ring made with MaxMessage %d: MaxMessage %d, %v; want %d", tt.maxMsg, st.MaxMessage, err, tt.want)
		}
	}
}

// Params that do not suit a kind are ErrUsage, and say what is wrong in
// create's terms; a geometry the kind's own package refuses is ErrUsage
// too, and still its package's error.
func TestCreateUsage(t *testing.T) {
	for _, tt := range []struct {
		kind string
		p    Params
		want string
	}{
		{"raw", Params{}, "--size: required"},
		{"raw", Params{Size: -1}, "--size: -1 is not a size"},
		{"barrier", Params{}, "--parties: a barrier needs at least 1 party"},
		{"mutex", Params{Size: 8}, "--size applies to --kind raw only"},
		{"cond", Params{Size: 8}, "--size applies to --kind raw only"},
		{"semaphore", Params{Value: 5, Max: 2}, "--value 5 --max 2: want 0 <= value <= max (max 0 for none)"},
		{"semaphore", Params{Value: -1}, "--value -1 --max 0: want 0 <= value <= max (max 0 for none)"},
		{"queue", Params{}, "--size: required"},
		{"queue", Params{Size: 100, Slot: 256}, "--size 100 --slot 256: not even 2 slots fit"},
		{"array", Params{Type: "int64"}, "--len: an array needs at least 1 element"},
		{"value", Params{Type: "float128"}, `--type "float128": want one of ` + TypeNames()},
		{"value", Params{Type: "int8", Len: 3}, "--len applies to --kind array only"},
		{"value", Params{Type: "int8", Size: 1}, "--size applies to --kind raw only"},
	} {
		_, err := create(t, tt.kind, tt.p)
		if !errors.Is(err, ErrUsage) || err.Error() != tt.want {
			t.Errorf("Create(%s, %+v) = %v; want ErrUsage saying %q", tt.kind, tt.p, err, tt.want)
		}
	}
	_, err := create(t, "ring", Params{Size: 3000})
	if !errors.Is(err, ErrUsage) || !errors.Is(err, shm.ErrInvalidSize) {
		t.Errorf("Create(ring of 3000 bytes) = %v; want ErrUsage and shm.ErrInvalidSize", err)
	}
}

// Errors that are not the caller's are not ErrUsage.
func TestCreateExists(t *testing.T) {
	k, _ := Lookup("raw")
	path := filepath.Join(t.TempDir(), "x")
	seg, err := k.Create(path, Params{Size: 1024}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	if _, err := k.Create(path, Params{Size: 1024}, nil); !errors.Is(err, shm.ErrExist) || errors.Is(err, ErrUsage) {
		t.Fatalf("Create of an existing name = %v; want shm.ErrExist, not ErrUsage", err)
	}
}

// A kind this build does not know has an empty state and no flow.
func TestUnknownKind(t *testing.T) {
	seg, err := shm.Create(filepath.Join(t.TempDir(), "x"), 64, &shm.Options{Kind: "teapot"})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	if st, err := Inspect(seg); err != nil || st != (struct{}{}) {
		t.Errorf("Inspect(teapot) = %#v, %v; want struct{}{}", st, err)
	}
	if _, err := ReadFlow(seg); !errors.Is(err, ErrNoFlow) {
		t.Errorf("ReadFlow(teapot) = %v, want ErrNoFlow", err)
	}
}
