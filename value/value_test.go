package value_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// wide is a 64-byte value whose fields a writer always keeps equal, so that
// a torn read shows as unequal fields.
type wide struct {
	F [8]uint64
}

func (w wide) consistent() bool {
	for _, f := range w.F {
		if f != w.F[0] {
			return false
		}
	}
	return true
}

func TestMain(m *testing.M) {
	testutil.Child("writer", childWriter)
	testutil.Child("reader", childReader)
	testutil.Child("adder", childAdder)
	testutil.Child("mixer", childMixer)
	testutil.Child("locker", childLocker)
	testutil.Main(m)
}

// childWriter stores wide{i,i,...} for i = 1, 2, ... until told to stop,
// or once (args[1] == "once") with value args[2].
func childWriter(args []string) error {
	v, err := value.Open[wide](args[0], nil)
	if err != nil {
		return err
	}
	defer v.Close()
	if len(args) > 2 && args[1] == "once" {
		n, _ := strconv.ParseUint(args[2], 10, 64)
		return v.Store(wide{F: [8]uint64{n, n, n, n, n, n, n, n}})
	}
	stop, err := shm.OpenObject[uint32](args[0]+"-stop", nil)
	if err != nil {
		return err
	}
	defer stop.Close()
	testutil.Send("writing")
	for i := uint64(1); *stop.Get() == 0; i++ {
		if err := v.Store(wide{F: [8]uint64{i, i, i, i, i, i, i, i}}); err != nil {
			return err
		}
	}
	return nil
}

// childReader does args[1] Loads and reports how many saw a torn value and
// the largest value seen.
func childReader(args []string) error {
	v, err := value.Open[wide](args[0], nil)
	if err != nil {
		return err
	}
	defer v.Close()
	n, _ := strconv.Atoi(args[1])
	torn, last, changes := 0, uint64(0), 0
	for range n {
		w, err := v.Load()
		if err != nil {
			return err
		}
		if !w.consistent() {
			torn++
		}
		if w.F[0] != last {
			changes++
			last = w.F[0]
		}
	}
	testutil.Send("torn=%d changes=%d", torn, changes)
	return nil
}

// A writer stores continuously while 3 readers each Load 10^6 times: no
// reader ever sees a value whose fields disagree.
func TestNoTornReads(t *testing.T) {
	name := testutil.Name(t)
	v, err := value.Create(name, wide{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	stop, err := shm.CreateObject[uint32](name+"-stop", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name + "-stop")
	defer stop.Close()
	w := testutil.Start(t, "writer", name)
	w.Expect("writing")
	var rs []*testutil.Proc
	for range 3 {
		rs = append(rs, testutil.Start(t, "reader", name, "1000000"))
	}
	for i, r := range rs {
		line := r.ReadLine()
		r.Wait()
		if !strings.HasPrefix(line, "torn=0 ") {
			t.Errorf("reader %d: %s", i, line)
		}
		t.Logf("reader %d: %s", i, line)
	}
	*stop.Get() = 1
	w.Wait()
}

// A writer SIGKILLed in the middle of a Store leaves a torn value: Load
// reports ErrCorrupt (never a mix, never a hang) until a Store repairs it.
func TestWriterKilledMidStore(t *testing.T) {
	name := testutil.Name(t)
	v, err := value.Create(name, wide{F: [8]uint64{1, 1, 1, 1, 1, 1, 1, 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=value/store/half=kill"}, "writer", name, "once", "7")
	if sig := p.Signal(); sig != syscall.SIGKILL {
		t.Fatalf("writer ended by %v, want SIGKILL; stderr %s", sig, p.Stderr())
	}
	if _, err := v.Load(); !errors.Is(err, value.ErrCorrupt) {
		t.Fatalf("Load of a torn value = %v, want ErrCorrupt", err)
	}
	if _, err := value.ReadBytes(v.Segment()); !errors.Is(err, value.ErrCorrupt) {
		t.Fatalf("ReadBytes of a torn value = %v, want ErrCorrupt", err)
	}
	for range 2 { // a failed Update must not make the torn value look whole
		if err := v.Update(func(*wide) {}); !errors.Is(err, value.ErrCorrupt) {
			t.Fatalf("Update of a torn value = %v, want ErrCorrupt", err)
		}
		if got, err := v.Load(); !errors.Is(err, value.ErrCorrupt) {
			t.Fatalf("Load after a failed Update = %v, %v; want ErrCorrupt", got, err)
		}
	}
	if err := v.Store(wide{F: [8]uint64{9, 9, 9, 9, 9, 9, 9, 9}}); err != nil {
		t.Fatalf("Store repairing a torn value = %v", err)
	}
	got, err := v.Load()
	if err != nil || got.F[0] != 9 || !got.consistent() {
		t.Fatalf("Load after repair = %v, %v", got, err)
	}
}

func childAdder(args []string) error {
	v, err := value.Open[int64](args[0], nil)
	if err != nil {
		return err
	}
	defer v.Close()
	n, _ := strconv.Atoi(args[1])
	testutil.Send("ready")
	testutil.Recv()
	for range n {
		value.Add(v, 1)
	}
	testutil.Send("done")
	return nil
}

// Atomic Add from 4 processes × 10^6 gives the exact total.
func TestAtomicAddAcrossProcesses(t *testing.T) {
	name := testutil.Name(t)
	v, err := value.Create[int64](name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	const procs, iters = 4, 1_000_000
	testutil.RunTogether(t, procs, "adder", name, strconv.Itoa(iters))
	if got, err := v.Load(); err != nil || got != procs*iters {
		t.Fatalf("total = %d, %v; want %d", got, err, procs*iters)
	}
}

func TestIntegerOps(t *testing.T) {
	name := testutil.Name(t)
	v, err := value.Create[int16](name, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	if value.Add(v, -7) != -2 || value.Swap(v, 40) != -2 || !value.CompareAndSwap(v, 40, 41) || value.CompareAndSwap(v, 40, 0) {
		t.Fatal("int16 atomic ops misbehave")
	}
	if err := v.Update(func(x *int16) { *x *= 2 }); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Load(); got != 82 {
		t.Fatalf("after Update = %d, want 82", got)
	}
}

type withSlice struct {
	N    int
	Tags []string
}

func TestTypeChecks(t *testing.T) {
	name := testutil.Name(t)
	if _, err := value.Create(name, withSlice{}, nil); !errors.Is(err, shm.ErrTypeMismatch) || !strings.Contains(err.Error(), "withSlice.Tags is a slice") {
		t.Fatalf("Create with a slice field = %v, want a type error naming Tags", err)
	}
	v, err := value.Create[float64](name, 1.5, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	_, err = value.Open[int64](name, nil)
	if !errors.Is(err, shm.ErrTypeMismatch) || !strings.Contains(err.Error(), "float64") || !strings.Contains(err.Error(), "int64") {
		t.Fatalf("Open with another type = %v, want ErrTypeMismatch naming both", err)
	}
	if h := v.Segment().Header(); h.Kind != "value" || h.Elem.Name != "float64" || h.Elem.Size != 8 || h.Elem.Count != 1 {
		t.Fatalf("header = %+v", h)
	}
}

func ExampleValue() {
	type quote struct{ Bid, Ask float64 }
	name := fmt.Sprintf("shmkit-example-value-%d", syscall.Getpid())
	v, err := value.Create(name, quote{Bid: 100, Ask: 101}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer v.Close()

	v.Store(quote{Bid: 102, Ask: 103}) // a writer process
	q, err := v.Load()                 // a reader process: never half old, half new
	fmt.Println(q, err)
	// Output: {102 103} <nil>
}

func ExampleAdd() {
	name := fmt.Sprintf("shmkit-example-counter-%d", syscall.Getpid())
	hits, err := value.Create[uint64](name, 0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer hits.Close()
	value.Add(hits, 1) // from any process, no lock
	fmt.Println(value.Add(hits, 1))
	// Output: 2
}
