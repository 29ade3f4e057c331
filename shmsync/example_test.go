package shmsync_test

import (
	"fmt"
	"os"

	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/shmsync"
)

// A mutex that every process finds by name. Each calls OpenOrCreateMutex;
// one creates it.
func Example() {
	name := fmt.Sprintf("shmkit-example-mutex-%d", os.Getpid())
	mu, created, err := shmsync.OpenOrCreateMutex(name, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer mu.Close()
	if err := mu.Lock(); err != nil { // futex.ErrOwnerDead: repair, then mu.MarkConsistent()
		fmt.Println(err)
		return
	}
	fmt.Println("created:", created, "locked:", mu.State().Locked)
	mu.Unlock()
	// Output: created: true locked: true
}
