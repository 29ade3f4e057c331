package array_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) {
	testutil.Child("compound", childCompound)
	testutil.Child("add-at", childAddAt)
	testutil.Main(m)
}

func create[T any](t testing.TB, n int) *array.Array[T] {
	t.Helper()
	name := testutil.Name(t)
	a, err := array.Create[T](name, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		shm.Remove(name)
	})
	return a
}

// childCompound does args[1] compound updates under the array's lock:
// a[0]++ and a[1] = 2*a[0], an invariant no reader may see broken.
func childCompound(args []string) error {
	a, err := array.Open[int64](args[0], nil)
	if err != nil {
		return err
	}
	defer a.Close()
	n, _ := strconv.Atoi(args[1])
	s := a.Slice()
	testutil.Send("ready")
	testutil.Recv()
	for range n {
		if err := a.Mutex().Lock(); err != nil {
			return err
		}
		if s[1] != 2*s[0] {
			return fmt.Errorf("invariant broken: a[0]=%d a[1]=%d", s[0], s[1])
		}
		s[0]++
		s[1] = 2 * s[0]
		if err := a.Mutex().Unlock(); err != nil {
			return err
		}
	}
	testutil.Send("done")
	return nil
}

func childAddAt(args []string) error {
	a, err := array.Open[int32](args[0], nil)
	if err != nil {
		return err
	}
	defer a.Close()
	n, _ := strconv.Atoi(args[1])
	testutil.Send("ready")
	testutil.Recv()
	for i := range n {
		array.AddAt(a, i%a.Len(), 1)
	}
	testutil.Send("done")
	return nil
}

// The array's lock guards a compound update across 4 processes.
func TestLockGuardsCompoundUpdate(t *testing.T) {
	a := create[int64](t, 2)
	testutil.RunTogether(t, 4, "compound", a.Segment().Name(), "100000")
	if s := a.Slice(); s[0] != 400_000 || s[1] != 800_000 {
		t.Fatalf("a = %v, want [400000 800000]", s)
	}
}

// Element atomics from 4 processes give exact totals.
func TestAddAtAcrossProcesses(t *testing.T) {
	a := create[int32](t, 10)
	testutil.RunTogether(t, 4, "add-at", a.Segment().Name(), "250000")
	for i, v := range a.Slice() {
		if v != 100_000 {
			t.Fatalf("a[%d] = %d, want 100000", i, v)
		}
	}
}

func TestReadWriteAt(t *testing.T) {
	a := create[uint16](t, 4)
	if n, err := a.WriteAt([]byte{1, 0, 2, 0}, 2); n != 4 || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	if a.At(1) != 1 || a.At(2) != 2 {
		t.Fatalf("elements after WriteAt = %v", a.Slice())
	}
	buf := make([]byte, 6)
	if n, err := a.ReadAt(buf, 4); n != 4 || err != io.EOF {
		t.Fatalf("ReadAt near the end = %d, %v; want 4, io.EOF", n, err)
	}
	if _, err := a.WriteAt(make([]byte, 3), 6); !errors.Is(err, array.ErrOutOfRange) {
		t.Fatalf("WriteAt past the end = %v, want ErrOutOfRange", err)
	}
	if _, err := a.ReadAt(buf, -1); !errors.Is(err, array.ErrOutOfRange) {
		t.Fatalf("ReadAt(-1) = %v, want ErrOutOfRange", err)
	}
	var _ io.ReaderAt = a
	var _ io.WriterAt = a
}

func TestElementOps(t *testing.T) {
	a := create[uint8](t, 7)
	a.Set(3, 250)
	if array.AddAt(a, 3, 10) != 4 || array.SwapAt(a, 3, 9) != 4 || !array.CompareAndSwapAt(a, 3, 9, 1) || array.LoadAt(a, 3) != 1 {
		t.Fatalf("element ops: %v", a.Slice())
	}
	array.StoreAt(a, 4, 77)
	if s := a.Slice(); s[2] != 0 || s[4] != 77 || s[3] != 1 {
		t.Fatalf("neighbours: %v", s)
	}
}

func TestOpenChecks(t *testing.T) {
	a := create[float64](t, 16)
	name := a.Segment().Name()
	b, err := array.Open[float64](name, nil)
	if err != nil || b.Len() != 16 {
		t.Fatalf("Open = %v, %v", b, err)
	}
	b.Slice()[5] = 2.5
	if a.At(5) != 2.5 {
		t.Fatal("a write through one mapping is not seen through the other")
	}
	b.Close()
	_, err = array.Open[int32](name, nil)
	if !errors.Is(err, shm.ErrTypeMismatch) || !strings.Contains(err.Error(), "float64") || !strings.Contains(err.Error(), "int32") {
		t.Fatalf("Open with another type = %v", err)
	}
	for _, n := range []int{0, -1} {
		if _, err := array.Create[int64](testutil.Name(t), n, nil); !errors.Is(err, shm.ErrInvalidSize) {
			t.Errorf("Create(len %d) = %v, want ErrInvalidSize", n, err)
		}
	}
}

// A header that claims more elements than its payload holds (a hostile
// peer recomputes the checksum) is refused.
func TestForgedGeometry(t *testing.T) {
	name := testutil.Name(t)
	seg, err := shm.Create(name, 128, &shm.Options{Kind: "array", KindVersion: 1,
		Elem: shm.TypeDesc{Name: "int64", Size: 8, Align: 8, Count: 16, Fingerprint: mustDesc[int64](t).Fingerprint}})
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer seg.Close()
	if _, err := array.Open[int64](name, nil); !errors.Is(err, shm.ErrCorrupt) {
		t.Fatalf("Open of a forged geometry = %v, want ErrCorrupt", err)
	}
}

func mustDesc[T any](t *testing.T) shm.TypeDesc {
	d, err := shm.DescribeType[T]()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Python, with the standard library only, reads Go's arrays in place at
// the documented offset and writes values that Go then reads.
func TestPythonReadsAndWritesGoArrays(t *testing.T) {
	py := testutil.Python3(t)
	f := create[float64](t, 1000)
	n := create[int64](t, 333)
	for i := range f.Slice() {
		f.Set(i, float64(i)*0.5)
	}
	for i := range n.Slice() {
		n.Set(i, int64(i*i-1000))
	}
	out, err := exec.Command(py, "testdata/interop.py", "check-go", f.Segment().Name(), n.Segment().Name()).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok 1000 333" {
		t.Fatalf("python: %v\n%s", err, out)
	}
	for i, v := range f.Slice() {
		if v != -float64(i)*0.25 {
			t.Fatalf("f[%d] = %v after python, want %v", i, v, -float64(i)*0.25)
		}
	}
	for i, v := range n.Slice() {
		if v != int64(7*i+3) {
			t.Fatalf("n[%d] = %d after python, want %d", i, v, 7*i+3)
		}
	}
}

// Go maps, raw, a segment that Python's SharedMemory created and reads the
// float64s Python wrote.
func TestGoReadsPythonSharedMemory(t *testing.T) {
	py := testutil.Python3(t)
	name := testutil.Name(t)
	cmd := exec.Command(py, "testdata/interop.py", "make", name)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); strings.TrimSpace(line) != "ready" {
		t.Fatalf("python said %q", line)
	}
	seg, err := shm.OpenRaw(name, &shm.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	xs, err := array.ViewRaw[float64](seg)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 100 {
		t.Fatalf("len = %d, want 100", len(xs))
	}
	for i, x := range xs {
		if x != float64(i)*1.5 {
			t.Fatalf("xs[%d] = %v, want %v", i, x, float64(i)*1.5)
		}
	}
	if _, err := array.ViewRaw[[3]float64](seg); err == nil {
		t.Fatal("ViewRaw with a size that does not divide the segment succeeded")
	}
}

func Example() {
	name := fmt.Sprintf("shmkit-example-array-%d", os.Getpid())
	a, err := array.Create[float64](name, 4, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer a.Close()

	s := a.Slice() // the shared memory itself
	for i := range s {
		s[i] = float64(i) * 1.5
	}
	peer, err := array.Open[float64](name, nil) // normally another process
	if err != nil {
		fmt.Println(err)
		return
	}
	defer peer.Close()
	fmt.Println(peer.Slice(), peer.Len())
	// Output: [0 1.5 3 4.5] 4
}

func ExampleArray_Mutex() {
	name := fmt.Sprintf("shmkit-example-array-lock-%d", os.Getpid())
	a, err := array.Create[int64](name, 2, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer a.Close()

	// A compound update, like Python's `with arr.get_lock():`.
	a.Mutex().Lock()
	s := a.Slice()
	s[0]++
	s[1] = 2 * s[0]
	a.Mutex().Unlock()
	fmt.Println(s)
	// Output: [1 2]
}
