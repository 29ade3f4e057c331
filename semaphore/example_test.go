package semaphore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
)

// A named semaphore limits how many processes use a resource at once.
func Example() {
	name := fmt.Sprintf("shmkit-example-sem-%d", os.Getpid())
	sem, err := semaphore.Create(name, semaphore.Config{Value: 2, Max: 2}, nil) // other processes: semaphore.Open(name, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer sem.Close()

	if err := sem.Acquire(context.Background(), 1); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("available:", sem.State().Value)
	sem.Release(1)
	fmt.Println("release past the bound:", sem.Release(1))
	// Output:
	// available: 1
	// release past the bound: semaphore: released past its bound: 2 available + 1 released > bound 2
}
