// Command shmtool creates, inspects, lists and removes shmkit segments.
//
// Run "shmtool help" for the commands.
package main

import (
	"os"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/bench"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/demo"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/stress"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/internal/reexec"
)

func main() {
	registerRoles()
	reexec.Main() // a second process of bench, demo or stress (a pool worker too: package pool registers its role) runs its role and exits
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	// Our liveness file, if a command registered one (bench, stress),
	// goes with us rather than waiting for the next process to sweep it.
	live.Release()
	os.Exit(code)
}

// registerRoles registers the second processes the engines start; the
// tests' TestMain calls it too.
func registerRoles() {
	bench.RegisterRoles()
	demo.RegisterRoles()
	stress.RegisterRoles()
}
