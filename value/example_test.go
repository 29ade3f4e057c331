package value_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// A counter shared by every process that opens it: each calls
// OpenOrCreate, one creates it, and Add is exact across all of them.
func Example() {
	name := fmt.Sprintf("shmkit-example-value-%d", os.Getpid())
	hits, created, err := value.OpenOrCreate(name, uint64(0), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer hits.Close()
	value.Add(hits, 3)
	value.Add(hits, 4)
	n, err := hits.Load()
	fmt.Println(created, n, err)
	// Output: true 7 <nil>
}

// A struct of several words is stored and loaded whole: a reader never
// sees half of one Store and half of another.
func ExampleValue_Store() {
	type point struct{ X, Y, Z float64 }
	name := fmt.Sprintf("shmkit-example-point-%d", os.Getpid())
	p, err := value.Create(name, point{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer p.Close()
	p.Store(point{1, 2, 3})
	p.Update(func(q *point) { q.Z *= 10 })
	got, _ := p.Load()
	fmt.Println(got)
	// Output: {1 2 30}
}

// Two values kept in step, the count of sales and their total, as
// Python's get_lock() would: the lock of one guards both. Add from other
// processes may still land on the count; UpdateLocked never loses them.
func ExampleValue_Lock() {
	name := fmt.Sprintf("shmkit-example-sales-%d", os.Getpid())
	sales, err := value.Create[int64](name, 0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer sales.Close()
	total, err := value.Create[float64](name+"-total", 0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name + "-total")
	defer total.Close()

	sell := func(price float64) error {
		if err := sales.Lock(); errors.Is(err, futex.ErrOwnerDead) {
			// A seller died holding the lock: here, recount the total
			// from a journal, then vouch for the repair.
			sales.MarkConsistent()
		} else if err != nil {
			return err
		}
		defer sales.Unlock()
		if err := sales.UpdateLocked(func(n *int64) { *n++ }); err != nil {
			return err
		}
		return total.Update(func(t *float64) { *t += price })
	}
	sell(2.5)
	sell(4)
	n, _ := sales.Load()
	t, _ := total.Load()
	fmt.Println(n, t)
	// Output: 2 6.5
}
