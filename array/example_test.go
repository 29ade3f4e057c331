package array_test

import (
	"fmt"
	"os"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/shm"
)

// Every process calls OpenOrCreate; Slice is the shared memory
// itself, and the lock guards compound updates, as Python's get_lock().
func ExampleOpenOrCreate() {
	name := fmt.Sprintf("shmkit-example-array-%d", os.Getpid())
	a, _, err := array.OpenOrCreate[int64](name, 4, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer a.Close()
	if err := a.Lock(); err != nil { // futex.ErrOwnerDead: repair, then a.Mutex().MarkConsistent()
		fmt.Println(err)
		return
	}
	s := a.Slice()
	for i := range s {
		s[i] = int64(i * i)
	}
	a.Unlock()
	array.AddAt(a, 0, 100)
	fmt.Println(a.Slice(), a.Len())
	// Output: [100 1 4 9] 4
}
