package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/stress"
	"github.com/spf13/cobra"
)

func newStress(stdout, stderr io.Writer) *cobra.Command {
	var (
		cfg    stress.Config
		asJSON bool
	)
	kinds := strings.Join(stress.Kinds(), ", ")
	cmd := &cobra.Command{
		Use:   "stress --kind KIND",
		Short: "Hammer one object from several processes, killing them at random, and check it",
		Long: `Create one object of --kind and start --procs worker processes (shmtool
itself) that use it as hard as they can for --duration, each checking the
kind's invariant as it goes: mutual exclusion with an exact counter (mutex),
a compound update repaired after its writer died (array), no torn value
(value), permits never over-subscribed and none lost (semaphore), a wake-up
for every set (event), a broken barrier reset (barrier), every message
exactly once (queue), every message whole and in order (ring, stream).

A pool (--kind pool) starts its workers itself: stress runs a pool.Pool of
--procs workers and keeps it busy with tasks, each of which must come back
exactly once with the right answer, however many workers die running it;
--kill-every kills a random pool worker, which the pool replaces, and
recoveries are the tasks it ran again.

With --kill-every, every so often a random worker is killed with SIGKILL and
a new one started; some workers are also started with a failpoint armed, so
that they die inside the protocol (holding a lock, mid-claim, mid-write) at a
random hit. The survivors must recover. A worker that makes no progress for
5s while its peers live is a hang.

At the end stress prints (or, with --json, emits) kind, procs, duration_s,
ops, kills, recoveries, violations, hangs and seed, and exits 1 if there
were violations or hangs. --seed replays a run's choices. Ctrl-C (or
SIGTERM) ends the run early, as the end of --duration does: the object is
removed and the report printed.

Kinds: ` + kinds + ".",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg.Progress, cfg.Terminal = stderr, isTerminal(stderr)
			// Ctrl-C (or SIGTERM) ends the run early, as its duration
			// would: the workers stop, the object goes, the report prints.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			res, err := stress.Run(ctx, cfg)
			if errors.Is(err, stress.ErrInvalidConfig) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSONLine(stdout, res) // one line per run, to collect
			} else {
				_, err = fmt.Fprintf(stdout, "%s: %d procs for %.1fs: %d ops, %d kills, %d recoveries, %d violations, %d hangs (seed %d)\n",
					res.Kind, res.Procs, res.DurationS, res.Ops, res.Kills, res.Recoveries, res.Violations, res.Hangs, res.Seed)
			}
			if err == nil && (res.Violations > 0 || res.Hangs > 0) {
				return fmt.Errorf("stress %s: %d violations, %d hangs", res.Kind, res.Violations, res.Hangs)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.Kind, "kind", "", "the kind of object: "+kinds)
	fl.IntVar(&cfg.Procs, "procs", 4, "worker processes")
	fl.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to run")
	fl.DurationVar(&cfg.KillEvery, "kill-every", 0, "SIGKILL a random worker this often (0: never)")
	fl.Uint64Var(&cfg.Seed, "seed", 0, "seed of the random choices (0: pick one)")
	fl.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}
