//go:build linux

package pyinterop_test

import (
	"context"
	"io"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// Segments that Python creates open in Go with its typed API: the
// header, kind versions, element descriptors (fingerprints included) and
// each kind's geometry are Go's, and what Python wrote reads back.
func TestPythonCreates(t *testing.T) {
	prefix := testutil.Name(t)
	names := []string{"-ring", "-stream", "-queue", "-dict"}
	for _, v := range []string{"int64", "float64", "uint8", "bool", "int32"} {
		names = append(names, "-value-"+v)
	}
	for _, a := range []string{"int32", "float64", "uint16"} {
		names = append(names, "-array-"+a)
	}
	t.Cleanup(func() {
		for _, n := range names {
			shm.Remove(prefix + n)
		}
	})
	py := startPy(t, "create-all", prefix)
	pyDone(t, py)

	r, err := ringbuf.Open(prefix+"-ring", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	if m, err := c.Next(context.Background()); err != nil || string(m) != "from python" {
		t.Fatalf("ring: %q %v", m, err)
	}
	c.Close()

	s, err := ringbuf.OpenStream(prefix+"-stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sr, _ := s.Reader()
	if b, err := io.ReadAll(sr); err != nil || string(b) != "streamed" {
		t.Fatalf("stream: %q %v", b, err)
	}
	sr.Close()

	q, err := queue.Open(prefix+"-queue", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	qc, _ := q.Consumer()
	buf := make([]byte, 32)
	if n, err := qc.TryRead(buf); err != nil || string(buf[:n]) != "queued" {
		t.Fatalf("queue: %q %v", buf[:n], err)
	}
	qc.Close()

	checkValue(t, prefix+"-value-int64", int64(-7))
	checkValue(t, prefix+"-value-float64", 2.5)
	checkValue(t, prefix+"-value-uint8", uint8(200))
	checkValue(t, prefix+"-value-bool", true)
	checkValue(t, prefix+"-value-int32", int32(-3))
	checkArray[int32](t, prefix+"-array-int32")
	checkArray[float64](t, prefix+"-array-float64")
	checkArray[uint16](t, prefix+"-array-uint16")

	d, err := dict.Open(prefix+"-dict", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, ok, err := d.Get([]byte("k")); err != nil || !ok || string(v) != "v" {
		t.Fatalf("dict: %q %v %v", v, ok, err)
	}
}

func checkValue[T comparable](t *testing.T, name string, want T) {
	t.Helper()
	v, err := value.Open[T](name, nil)
	if err != nil {
		t.Fatalf("value.Open[%T](%s): %v", want, name, err)
	}
	defer v.Close()
	if got, err := v.Load(); err != nil || got != want {
		t.Fatalf("%s: %v %v, want %v", name, got, err, want)
	}
}

func checkArray[T int32 | float64 | uint16](t *testing.T, name string) {
	t.Helper()
	a, err := array.Open[T](name, nil)
	if err != nil {
		t.Fatalf("array.Open(%s): %v", name, err)
	}
	defer a.Close()
	if s := a.Slice(); len(s) != 5 || s[4] != 4 || s[0] != 0 {
		t.Fatalf("%s: %v", name, s)
	}
}
