package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1 // the command ran and failed
	exitUsage   = 2 // the command line was wrong
)

// usageError marks an error in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// run executes shmtool with args, writing output to stdout and diagnostics
// to stderr, and returns the exit code. It never lets a panic out: a fault
// on a truncated mapping becomes an error.
func run(args []string, stdout, stderr io.Writer) (code int) {
	// SIGBUS/SIGSEGV on a mapping becomes a recoverable panic, in this
	// goroutine, while run runs (tests call run in theirs).
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(interface{ Addr() uintptr }); ok { // SetPanicOnFault's error
				fmt.Fprintf(stderr, "shmtool: memory fault at %#x: a segment shrank while mapped (truncated by another process?)\n", f.Addr())
				code = exitRuntime
				return
			}
			fmt.Fprintf(stderr, "shmtool: internal error: %v\n", r)
			code = exitRuntime
		}
	}()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	code = exitRuntime
	if errors.As(err, new(usageError)) {
		code = exitUsage
		help := "shmtool help"
		if cmd != nil && cmd != root {
			help = cmd.CommandPath() + " --help"
		}
		fmt.Fprintf(stderr, "shmtool: %v\nRun '%s' for usage.\n", err, help)
	} else {
		fmt.Fprintf(stderr, "shmtool: %s\n", oneLine(err.Error()))
	}
	if wantsJSON(args) { // a script reading stdout learns of the failure too
		_ = writeJSONLine(stdout, struct {
			Error string `json:"error"`
			Code  int    `json:"code"`
		}{oneLine(err.Error()), code})
	}
	return code
}

// wantsJSON reports whether the command line asked for --json.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "shmtool",
		Short: "Create, inspect, list and remove shmkit shared-memory segments",
		Long: `shmtool works with shmkit segments: named shared memory in /dev/shm (or a
file path) that carries a shmkit header. Every command takes --json.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q", args[0])
			}
			return cmd.Help()
		},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newLs(stdout), newInspect(stdout), newCreate(stdout), newRm(stdout),
		newWho(stdout), newDump(stdout), newWatch(stdout), newTail(stdout, stderr), newDemo(stdout), newBench(stdout, stderr), newGC(stdout), newStress(stdout, stderr),
		newVersion(stdout), newMetrics(stdout, stderr),
	)
	addCompletions(root)
	root.Version = buildVersion().String() // --version, as cobra gives it
	root.SetVersionTemplate("shmtool {{.Version}}\n")
	return root
}

// exactArgs is cobra.ExactArgs returning a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d arguments", what, len(args))
		}
		return nil
	}
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
