package reexec

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
)

// EnvVar is the environment variable that names the role a re-executed
// process plays. Main removes it from the role's own environment, so that
// the role's children do not inherit it.
const EnvVar = "SHMKIT_REEXEC_ROLE"

// Func is what a role does. args are the child's command-line arguments
// (Options.Args); ctx is cancelled when the child's stdin reaches end of
// file.
type Func func(ctx context.Context, args []string) error

var (
	rolesMu sync.Mutex
	roles   = map[string]Func{}
)

// Register makes fn the role called name in this binary. It panics if
// name is registered twice. Call it before Main.
func Register(name string, fn Func) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	if _, dup := roles[name]; dup {
		panic("reexec: role " + name + " registered twice")
	}
	roles[name] = fn
}

// Main runs the role the environment names, if there is one, and exits:
// 0 when the role returns nil, 1 (with the error on stderr) when it
// returns an error, 2 if no such role is registered. In a process that
// was not started as a role it returns at once.
func Main() {
	name, ok := os.LookupEnv(EnvVar)
	if !ok {
		return
	}
	_ = os.Unsetenv(EnvVar)
	os.Exit(dispatch(name, os.Args[1:]))
}

func dispatch(name string, args []string) int {
	rolesMu.Lock()
	fn := roles[name]
	rolesMu.Unlock()
	if fn == nil {
		fmt.Fprintf(os.Stderr, "reexec: no role %q in this binary (have %v)\n", name, roleNames())
		return 2
	}
	if err := fn(parentContext(), args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

func roleNames() []string {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	names := make([]string, 0, len(roles))
	for n := range roles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
