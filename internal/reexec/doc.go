// Package reexec runs a second process from the binary already running:
// the program re-executes itself as a named role, and parent and child
// talk line by line over the child's stdin and stdout.
//
// It is the os/exec helper-process idiom made into one harness for the
// tool and the tests alike: roles are registered by name, the role travels
// in an environment variable (never in hidden command-line flags), every
// wait on the child has a timeout, and every error says which child,
// how it ended and what it wrote to stderr.
//
// A binary registers its roles and dispatches first thing in main (or in
// TestMain, for a test binary):
//
//	func main() {
//		reexec.Register("echo", func(ctx context.Context, args []string) error {
//			reexec.Send("ready %s", strings.Join(args, " "))
//			line, err := reexec.Recv()
//			if err != nil {
//				return err
//			}
//			reexec.Send("got %s", line)
//			return nil
//		})
//		reexec.Main() // in a child started as a role: run it and exit
//		...
//	}
//
// The parent starts a child and follows the script:
//
//	c, err := reexec.Start(ctx, "echo", reexec.Options{Args: []string{"a"}})
//	if err != nil {
//		return err
//	}
//	defer c.Kill()
//	if _, err := c.Expect("ready", 5*time.Second); err != nil {
//		return err // "child echo (pid N) ended (exit status 1) before saying "ready"; stderr: ..."
//	}
//	c.Send("ping")
//	rest, err := c.Expect("got", 5*time.Second) // rest is "ping"
//	...
//	return c.Wait(5 * time.Second)
//
// A role's context is cancelled when its stdin reaches end of file: the
// parent closed it (CloseStdin, Wait) or died. A role's error goes to its
// stderr, prefixed with the role's name, and makes it exit 1.
//
// # Caveats
//
// A child's stdout and stdin belong to the line protocol: a role writes
// diagnostics to stderr, which the parent keeps (the first MiB) and quotes
// in its errors.
//
// On Linux a child is sent SIGKILL when its parent dies (PR_SET_PDEATHSIG),
// so that no child outlives a parent that was killed. The kernel sends it
// when the thread that started the child ends, not the process, and Go
// ends a thread when a goroutine locked to it exits: so Start forks every
// child from one thread that lives as long as the process (a goroutine
// locked to it for good). Elsewhere there is no such guarantee.
//
// Every process registers the same roles, in the same way, before it
// calls Main: the child is the same binary and must find the role the
// parent asked for.
package reexec
