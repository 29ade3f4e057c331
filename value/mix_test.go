package value_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// The writers of a mix, with the weight of each in a worker's schedule:
// the increments are frequent, the blind writes rare, so that each value a
// Store or Swap writes is incremented a few times before it is replaced.
var mixWeights = map[string]int{"add": 8, "cas": 4, "update": 2, "locked": 2, "swap": 1, "store": 1}

// mixOp is what one write of a mix did, as the worker that made it saw
// it: it replaced Old (unknown for a Store, which is blind) with New.
type mixOp struct {
	Old, New int64
	HasOld   int64 // 1 unless a Store made it
}

// childMixer is worker args[0] of a mix test. For each line "name mix T
// n out" from the parent, it runs mix's comma-separated writers on the
// Value[T] called name, n writes in all, chosen at random with the
// weights of mixWeights (seeded by the worker's index), and writes what
// each did to the file out:
//
//	add     Add(v, 1): New is what Add returned
//	cas     Load, then CompareAndSwap(x, x+1) until one succeeds
//	update  Update(x + d), d = 1000 (1 for int16); f records Old and New
//	locked  the same with UpdateLocked, between Lock and Unlock
//	swap    Swap(v, tag<<32), tag unique to the worker and the write
//	store   Store(tag<<32)
//
// Swap and Store exist for int64 only: a fresh tag in the high half
// starts a new epoch that the increments count up from, so every value
// ever written is unique.
//
// The worker says "ready" once the Value is open, starts on "go", and
// says "done" once the file is written; it returns when the parent closes
// its stdin.
func childMixer(args []string) error {
	worker, _ := strconv.ParseInt(args[0], 10, 64)
	for {
		f := strings.Fields(testutil.Recv())
		if len(f) == 0 {
			return nil
		}
		var err error
		switch f[2] {
		case "int64":
			err = mixer[int64](worker, f)
		case "int32":
			err = mixer[int32](worker, f)
		case "int16":
			err = mixer[int16](worker, f)
		default:
			err = fmt.Errorf("mixer: type %q", f[2])
		}
		if err != nil {
			return err
		}
	}
}

func mixer[T int16 | int32 | int64](worker int64, args []string) error {
	v, err := value.Open[T](args[0], nil)
	if err != nil {
		return err
	}
	defer v.Close()
	n, _ := strconv.Atoi(args[3])
	var schedule []string
	for _, op := range strings.Split(args[1], ",") {
		for range mixWeights[op] {
			schedule = append(schedule, op)
		}
	}
	d := T(1000)
	if args[2] == "int16" {
		d = 1
	}
	rng := rand.New(rand.NewPCG(uint64(worker), uint64(n)))
	ops := make([]mixOp, 0, n)
	testutil.Send("ready")
	testutil.Recv()
	for i := range int64(n) {
		tag := T(((worker+1)<<24 | (i + 1)) << 32) // int64 only: see above
		switch schedule[rng.IntN(len(schedule))] {
		case "add":
			x := value.Add(v, 1)
			ops = append(ops, mixOp{int64(x - 1), int64(x), 1})
		case "cas":
			for {
				x, err := v.Load()
				if err != nil {
					return err
				}
				if value.CompareAndSwap(v, x, x+1) {
					ops = append(ops, mixOp{int64(x), int64(x + 1), 1})
					break
				}
			}
		case "update":
			var old, new T // from f's last run, the one that took effect
			if err := v.Update(func(x *T) { old = *x; *x += d; new = *x }); err != nil {
				return err
			}
			ops = append(ops, mixOp{int64(old), int64(new), 1})
		case "locked":
			var old, new T
			if err := v.Lock(); err != nil {
				return err
			}
			if err := v.UpdateLocked(func(x *T) { old = *x; *x += d; new = *x }); err != nil {
				return err
			}
			if err := v.Unlock(); err != nil {
				return err
			}
			ops = append(ops, mixOp{int64(old), int64(new), 1})
		case "swap":
			ops = append(ops, mixOp{int64(value.Swap(v, tag)), int64(tag), 1})
		case "store":
			if err := v.Store(tag); err != nil {
				return err
			}
			ops = append(ops, mixOp{0, int64(tag), 0})
		}
	}
	f, err := os.Create(args[4])
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, ops); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	testutil.Send("done")
	return nil
}

// Every mix of writers on one Value, 4 processes at once, is
// linearizable. Each write replaces one value with another, and every
// value written is unique (see childMixer), so a linearizable history is
// a chain: each value but the last is replaced exactly once, by the next
// write. The checks are exact, whatever the order:
//
//   - no value is written twice (a lost increment repeats a value);
//   - every value a write replaced was written, and none is replaced
//     twice (an Update that overwrote an Add replaced the same value);
//   - the final value was written and never replaced;
//   - the values never replaced by a write that saw them are the final
//     one and one for each Store, which replaced one blindly;
//   - without Store or Swap, the final value is the initial one plus
//     every increment.
func TestMixedWritersAcrossProcesses(t *testing.T) {
	const procs = 4
	ps := make([]*testutil.Proc, procs)
	for i := range ps { // one set of workers for every mix: they start slowly under -race
		ps[i] = testutil.Start(t, "mixer", strconv.Itoa(i))
	}
	var mixes []string
	ops := []string{"add", "cas", "update", "locked", "swap", "store"}
	for i, a := range ops {
		for _, b := range ops[i+1:] {
			mixes = append(mixes, a+","+b)
		}
	}
	mixes = append(mixes, strings.Join(ops, ","))
	for _, mix := range mixes {
		t.Run("int64/"+mix, func(t *testing.T) { testMix[int64](t, ps, mix, 20000) })
	}
	t.Run("int32/add,cas,update,locked", func(t *testing.T) { testMix[int32](t, ps, "add,cas,update,locked", 20000) })
	t.Run("int16/add,cas,update,locked", func(t *testing.T) { testMix[int16](t, ps, "add,cas,update,locked", 5000) })
	for _, p := range ps {
		p.Wait()
	}
}

// testMix has the workers ps run mix, n writes each, on a new Value[T],
// and checks the history.
func testMix[T int16 | int32 | int64](t *testing.T, ps []*testutil.Proc, mix string, n int) {
	name := testutil.Name(t)
	v, err := value.Create[T](name, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer v.Close()
	dir := t.TempDir()
	for i, p := range ps {
		p.Send("%s %s %T %d %s", name, mix, T(0), n, filepath.Join(dir, strconv.Itoa(i)))
		p.Expect("ready")
	}
	for _, p := range ps {
		p.Send("go")
	}
	var ops []mixOp
	for i, p := range ps {
		p.Expect("done")
		b, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		some := make([]mixOp, len(b)/24)
		if _, err := binary.Decode(b, binary.LittleEndian, some); err != nil || len(some) != n {
			t.Fatalf("worker %d: %d writes recorded (%v), want %d", i, len(some), err, n)
		}
		ops = append(ops, some...)
	}
	final, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	if msg := checkChain(0, int64(final), ops); msg != "" {
		t.Error(msg)
	}
	if strings.Contains(mix, "swap") || strings.Contains(mix, "store") {
		return
	}
	var sum int64
	for _, op := range ops {
		sum += op.New - op.Old
	}
	if int64(final) != sum {
		t.Errorf("%s: total = %d, want %d (%d lost)", mix, final, sum, sum-int64(final))
	}
}

// checkChain checks the history ops from initial to final as
// TestMixedWritersAcrossProcesses says, and describes what is wrong, or
// returns "".
func checkChain(initial, final int64, ops []mixOp) string {
	written := map[int64]int{initial: 1}
	replaced := map[int64]int{}
	stores := 0
	for _, op := range ops {
		written[op.New]++
		if op.HasOld == 1 {
			replaced[op.Old]++
		} else {
			stores++
		}
	}
	var twice, unknown, replacedTwice, kept int
	for x, k := range written {
		twice += k - 1
		if replaced[x] == 0 {
			kept++
		}
	}
	for x, k := range replaced {
		replacedTwice += k - 1
		if written[x] == 0 {
			unknown++
		}
	}
	var bad []string
	if twice > 0 {
		bad = append(bad, fmt.Sprintf("%d values written twice", twice))
	}
	if unknown > 0 {
		bad = append(bad, fmt.Sprintf("%d values replaced but never written", unknown))
	}
	if replacedTwice > 0 {
		bad = append(bad, fmt.Sprintf("%d values replaced twice", replacedTwice))
	}
	if written[final] == 0 || replaced[final] != 0 {
		bad = append(bad, fmt.Sprintf("final value %#x written %d times, replaced %d times; want 1, 0", final, written[final], replaced[final]))
	}
	if kept != stores+1 {
		bad = append(bad, fmt.Sprintf("%d values never replaced by a write that saw them, want %d (the final one and one per Store)", kept, stores+1))
	}
	if len(bad) == 0 {
		return ""
	}
	return fmt.Sprintf("%d writes not linearizable: %s", len(ops), strings.Join(bad, "; "))
}
