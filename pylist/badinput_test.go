package pylist_test

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pylist"
	"github.com/shmkit/shmkit/shm"
)

// (7) Wrong inputs fail with the documented errors and change nothing.
func TestOpenBadSegments(t *testing.T) {
	if _, err := pylist.Open(testutil.Name(t), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing name = %v, want fs.ErrNotExist", err)
	}
	if _, err := pylist.Open("no spaces please", nil); !errors.Is(err, shm.ErrInvalidName) {
		t.Errorf("Open of a bad name = %v, want shm.ErrInvalidName", err)
	}

	name := testutil.Name(t)
	seg, err := shm.Create(name, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	seg.Close()
	defer shm.Remove(name)
	if _, err := pylist.Open(name, nil); !errors.Is(err, pylist.ErrCorrupt) || !strings.Contains(err.Error(), "shmkit segment") {
		t.Errorf("Open of a shmkit segment = %v, want ErrCorrupt naming it", err)
	}

	dir := t.TempDir()
	for _, tc := range []struct {
		what string
		b    []byte
	}{
		{"an empty file", nil},
		{"a file of 4 bytes", []byte{1, 0, 0, 0}},
		{"a count of -1", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"a count of 2^62", []byte{0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"a count larger than the file", append([]byte{1}, make([]byte, 30)...)},
	} {
		path := filepath.Join(dir, "bad")
		if err := os.WriteFile(path, tc.b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := pylist.Open(path, nil); !errors.Is(err, pylist.ErrCorrupt) {
			t.Errorf("Open of %s = %v, want ErrCorrupt", tc.what, err)
		}
	}
	if _, err := pylist.Open(filepath.Join(dir, "bad"), &pylist.Options{Layout: 99}); err == nil {
		t.Error("Open with an unknown layout succeeded")
	}
}

func TestBadCalls(t *testing.T) {
	name := testutil.Name(t)
	l, err := pylist.Create(name, []any{int64(1), "abc", nil}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer l.Close()
	for _, i := range []int{-1, 3, math.MaxInt} {
		if _, err := l.Get(i); !errors.Is(err, pylist.ErrIndex) {
			t.Errorf("Get(%d) = %v, want ErrIndex", i, err)
		}
		if err := l.Set(i, int64(0)); !errors.Is(err, pylist.ErrIndex) {
			t.Errorf("Set(%d) = %v, want ErrIndex", i, err)
		}
		if _, err := l.Type(i); !errors.Is(err, pylist.ErrIndex) {
			t.Errorf("Type(%d) = %v, want ErrIndex", i, err)
		}
		if _, err := l.Cap(i); !errors.Is(err, pylist.ErrIndex) {
			t.Errorf("Cap(%d) = %v, want ErrIndex", i, err)
		}
	}
	if _, err := l.Int(1); !errors.Is(err, pylist.ErrType) || !strings.Contains(err.Error(), "item is str, not int") {
		t.Errorf("Int of a str = %v, want ErrType", err)
	}
	if _, err := l.String(0); !errors.Is(err, pylist.ErrType) {
		t.Errorf("String of an int = %v, want ErrType", err)
	}
	if _, err := l.Float(2); !errors.Is(err, pylist.ErrType) {
		t.Errorf("Float of None = %v, want ErrType", err)
	}
	if _, err := l.Bool(0); !errors.Is(err, pylist.ErrType) {
		t.Errorf("Bool of an int = %v, want ErrType", err)
	}
	if _, err := l.Bytes(1); !errors.Is(err, pylist.ErrType) {
		t.Errorf("Bytes of a str = %v, want ErrType", err)
	}
	for _, v := range []any{struct{}{}, []int{1}, uint64(math.MaxUint64), complex(1, 2)} {
		if err := l.Set(0, v); !errors.Is(err, pylist.ErrType) {
			t.Errorf("Set(%T) = %v, want ErrType", v, err)
		}
	}
	if err := l.Set(1, "123456789"); !errors.Is(err, pylist.ErrTooLong) {
		t.Errorf("Set of 9 bytes in a slot of 8 = %v, want ErrTooLong", err)
	}
	if err := l.SetBytes(0, make([]byte, 9)); !errors.Is(err, pylist.ErrTooLong) {
		t.Errorf("SetBytes of 9 bytes in a slot of 8 = %v, want ErrTooLong", err)
	}
	if v, _ := l.Get(0); v != int64(1) {
		t.Errorf("item 0 = %#v after failed Sets, want 1", v)
	}
	if s, _ := l.String(1); s != "abc" {
		t.Errorf("item 1 = %q after a failed Set, want abc", s)
	}

	ro, err := pylist.Open(name, &pylist.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.SetInt(0, 2); !errors.Is(err, pylist.ErrReadOnly) {
		t.Errorf("SetInt on a read-only list = %v, want ErrReadOnly", err)
	}
	if n, err := ro.Int(0); n != 1 || err != nil {
		t.Errorf("Int on a read-only list = %d, %v", n, err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ro.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := ro.Get(0); !errors.Is(err, pylist.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}

	if _, err := pylist.Create(name, nil, nil); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create of a taken name = %v, want fs.ErrExist", err)
	}
	other := testutil.Name(t)
	if _, err := pylist.Create(other, []any{1, map[string]int{}}, nil); !errors.Is(err, pylist.ErrType) {
		t.Errorf("Create with a map item = %v, want ErrType", err)
	}
	if _, err := pylist.Create(other, []any{strings.Repeat("x", 9_999_992)}, nil); !errors.Is(err, pylist.ErrTooLong) {
		t.Errorf("Create of a str needing a 10,000,000-byte slot = %v, want ErrTooLong", err)
	}
	if _, err := pylist.Create(other, nil, &pylist.Options{ReadOnly: true}); err == nil {
		t.Error("Create with ReadOnly succeeded")
	}

	anon, err := pylist.Create("", []any{true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(anon.Name())
	defer anon.Close()
	if !strings.HasPrefix(anon.Name(), "psm_") || len(anon.Name()) != 12 {
		t.Errorf("Create(\"\") named the list %q, want psm_ and 8 hex digits, as Python", anon.Name())
	}
}

func TestLayoutFor(t *testing.T) {
	for v, want := range map[[2]int]pylist.Layout{{3, 8}: pylist.Layout38, {3, 9}: pylist.Layout39, {3, 12}: pylist.Layout39, {3, 14}: pylist.Layout39} {
		if got, err := pylist.LayoutFor(v[0], v[1]); got != want || err != nil {
			t.Errorf("LayoutFor(%d, %d) = %v, %v; want %v", v[0], v[1], got, err, want)
		}
	}
	for _, v := range [][2]int{{3, 7}, {3, 15}, {2, 7}, {4, 0}} {
		if _, err := pylist.LayoutFor(v[0], v[1]); !errors.Is(err, pylist.ErrVersion) {
			t.Errorf("LayoutFor(%d, %d) = %v, want ErrVersion", v[0], v[1], err)
		}
	}
}
