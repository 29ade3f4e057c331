package dict_test

import (
	"fmt"
	"os"
	"time"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/shm"
)

// A dict shared by every process that opens it by name: here one.
func Example() {
	name := fmt.Sprintf("shmkit-example-dict-%d", os.Getpid())
	d, err := dict.Create(name, dict.Config{Capacity: 1 << 20, MaxKey: 32, MaxValue: 256}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer d.Close()

	d.Set([]byte("user:42"), []byte("alice"), time.Hour)
	if err := d.Add([]byte("user:42"), []byte("bob"), 0); err != nil {
		fmt.Println(err) // Add keeps what is there
	}
	v, ok, _ := d.Get([]byte("user:42"))
	fmt.Println(string(v), ok)
	for range 3 {
		d.Incr([]byte("hits"), 1) // exact, however many processes add
	}
	n, _ := d.Incr([]byte("hits"), 0)
	fmt.Println("hits:", n)
	// Output:
	// dict: key exists
	// alice true
	// hits: 3
}
