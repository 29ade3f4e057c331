package value_test

import (
	"fmt"
	"os"

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
