package value_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

const testBudget = 50 * time.Millisecond

// midWrite creates a wide value and plays a writer that has begun a write:
// it holds the writers' lock and leaves the sequence odd. end finishes the
// write with w and unlocks.
func midWrite(t *testing.T) (v *value.Value[wide], advance func(), end func(w wide)) {
	t.Helper()
	name := testutil.Name(t)
	v, err := value.Create(name, wide{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		v.Close()
		shm.Remove(name)
	})
	seq, mu := value.Control(v)
	if err := mu.Lock(); err != nil {
		t.Fatal(err)
	}
	seq.Add(1)
	advance = func() { seq.Add(2) } // another write begun: odd again, but a new odd
	end = func(w wide) {
		v.Segment().Payload()[0] = byte(w.F[0]) // F[0] is little-endian at offset 0
		seq.Add(1)
		if err := mu.Unlock(); err != nil {
			t.Error(err)
		}
	}
	return v, advance, end
}

// Readers keep retrying while writes progress, however long that takes:
// a writer keeps the value mid-write, on a new sequence about every
// 100µs, for 5 read budgets; Load and ReadBytes then return the value it
// ends with. The writer bounds each gap between its writes by the clock
// before and after them; a run in which the writer itself stalled for a
// budget (a loaded machine), and the reader rightly gave up, proves
// nothing and is run again.
func TestReadWaitsWhileWritesProgress(t *testing.T) {
	defer value.SetLoadBudget(testBudget)()
	for _, reader := range []string{"Load", "ReadBytes"} {
		t.Run(reader, func(t *testing.T) {
			for attempt := 1; ; attempt++ {
				took, gap, err := readUnderProgress(t, reader)
				switch {
				case err == nil:
					return
				case gap < testBudget:
					t.Fatalf("%s under a writer that progressed at least every %v = %v after %v, want it to wait", reader, gap, err, took)
				case attempt == 5:
					t.Fatalf("the writer stalled for a budget in each of %d runs (%v in the last)", attempt, gap)
				}
				t.Logf("run %d: the writer stalled for %v, and %s gave up: %v", attempt, gap, reader, err)
			}
		})
	}
}

// readUnderProgress runs reader under a progressing writer, and returns
// how long it took, the longest time the writer may have left the
// sequence unchanged before it returned, and its error.
func readUnderProgress(t *testing.T, reader string) (took, gap time.Duration, err error) {
	before := time.Now()
	v, advance, end := midWrite(t)
	got := make(chan error, 1)
	start := time.Now()
	go func() {
		var x uint64
		var err error
		if reader == "Load" {
			var w wide
			w, err = v.Load()
			x = w.F[0]
		} else {
			var b []byte
			b, err = value.ReadBytes(v.Segment())
			if err == nil {
				x = uint64(b[0])
			}
		}
		if err == nil && x != 5 {
			err = errors.New("read a value the writer never finished")
		}
		got <- err
	}()
	for time.Since(start) < 5*testBudget {
		select {
		case err := <-got:
			return time.Since(start), max(gap, time.Since(before)), err
		default:
		}
		advance()
		gap, before = max(gap, time.Since(before)), time.Now()
		time.Sleep(100 * time.Microsecond)
	}
	end(wide{F: [8]uint64{5}})
	gap = max(gap, time.Since(before))
	return time.Since(start), gap, <-got
}

// A live writer stuck on one odd sequence (a stopped process) makes
// readers give up after the budget, not before, and not never.
func TestReadGivesUpOnStuckWriter(t *testing.T) {
	defer value.SetLoadBudget(testBudget)()
	v, _, end := midWrite(t)
	defer end(wide{})
	start := time.Now()
	_, err := v.Load()
	if took := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || took < testBudget {
		t.Errorf("Load under a stuck writer = %v after %v, want os.ErrDeadlineExceeded after %v", err, took, testBudget)
	}
	start = time.Now()
	_, err = value.ReadBytes(v.Segment())
	if took := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || took < testBudget {
		t.Errorf("ReadBytes under a stuck writer = %v after %v, want os.ErrDeadlineExceeded after %v", err, took, testBudget)
	}
}
