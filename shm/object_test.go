package shm_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

type point struct {
	X, Y int64
}

type pointYX struct {
	Y, X int64 // same size, other field order
}

type withString struct {
	N    int64
	Name string
}

type nested struct {
	A [4]struct {
		P *int
	}
}

type counters struct {
	Hits atomic.Uint64
	Tags [8]uint32
}

func TestDescribeType(t *testing.T) {
	d, err := shm.DescribeType[counters]()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "shm_test.counters" || d.Size != 40 || d.Align != 8 || d.Count != 1 || d.Fingerprint == 0 {
		t.Fatalf("DescribeType[counters]() = %+v", d)
	}
	a, _ := shm.DescribeType[point]()
	b, _ := shm.DescribeType[pointYX]()
	if a.Fingerprint == b.Fingerprint {
		t.Fatal("point and pointYX have the same fingerprint")
	}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"string", describeErr[withString](), "withString.Name is a string"},
		{"nested pointer", describeErr[nested](), "nested.A[].P is a ptr"},
		{"slice", describeErr[[]int](), "is a slice"},
		{"map", describeErr[map[int]int](), "is a map"},
		{"interface", describeErr[any](), "is a interface"},
		{"func", describeErr[func()](), "is a func"},
		{"chan", describeErr[chan int](), "is a chan"},
	} {
		if !errors.Is(tt.err, shm.ErrTypeMismatch) || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("DescribeType of %s: %v, want ErrTypeMismatch mentioning %q", tt.name, tt.err, tt.want)
		}
	}
}

func describeErr[T any]() error {
	_, err := shm.DescribeType[T]()
	return err
}

func TestObject(t *testing.T) {
	name := testutil.Name(t)
	obj, err := shm.CreateObject(name, func(c *counters) error { c.Tags[3] = 7; return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer obj.Close()
	obj.Get().Hits.Add(5)
	if k := obj.Segment().Kind(); k != "object" {
		t.Fatalf("kind = %q, want object", k)
	}
	again, created, err := shm.OpenOrCreateObject[counters](name, nil, nil)
	if err != nil || created {
		t.Fatalf("OpenOrCreateObject = %v, %v", created, err)
	}
	defer again.Close()
	if again.Get().Hits.Load() != 5 || again.Get().Tags[3] != 7 {
		t.Fatalf("reopened object = %+v", again.Get().Tags)
	}
	_, err = shm.OpenObject[point](name, nil)
	if !errors.Is(err, shm.ErrTypeMismatch) || !strings.Contains(err.Error(), "shm_test.counters") || !strings.Contains(err.Error(), "shm_test.point") {
		t.Fatalf("OpenObject with another type = %v, want ErrTypeMismatch naming both", err)
	}
	if _, err := shm.CreateObject[withString](testutil.Name(t), nil, nil); !errors.Is(err, shm.ErrTypeMismatch) {
		t.Fatalf("CreateObject of a type with a string = %v, want ErrTypeMismatch", err)
	}
	raw := testutil.Name(t)
	seg, err := shm.Create(raw, 64, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(raw)
	defer seg.Close()
	if _, err := shm.ObjectOf[point](seg); !errors.Is(err, shm.ErrTypeMismatch) {
		t.Fatalf("ObjectOf on a raw segment = %v, want ErrTypeMismatch", err)
	}
}
