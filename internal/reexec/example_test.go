package reexec_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
)

// Start runs the role "echo", registered in this test binary's TestMain,
// as a second process, and follows the line protocol with it.
func ExampleStart() {
	c, err := reexec.Start(context.Background(), "echo", reexec.Options{Args: []string{"hello"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Kill()
	args, err := c.Expect("ready", 10*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("child is ready with", args)
	c.Send("ping")
	reply, err := c.Expect("got", 10*time.Second)
	fmt.Println("child got", reply, err)
	fmt.Println("exit:", c.Wait(10*time.Second))
	// Output:
	// child is ready with hello
	// child got ping <nil>
	// exit: <nil>
}
