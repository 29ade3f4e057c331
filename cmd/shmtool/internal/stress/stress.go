package stress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// kind is one kind of object stress knows how to torture: how to make the
// object, what a worker does to it (checking the kind's invariant as it
// goes), where a worker may be killed inside the protocols, and what the
// parent checks at the end.
type kind struct {
	create     func(name string, procs int) error
	work       func(ctx context.Context, name string, id int, r *reporter) error
	failpoints []string
	// final checks the object at the end: violations, and recoveries
	// the object itself counted (the workers report the ones they see).
	// nil for a kind whose workers check everything as they run.
	final func(name string, totals totals) (violations []string, recoveries int64)
	// live reads, read-only and while the run goes on, the recoveries
	// that final will count, so that the progress line counts them as
	// the summary does. nil for a kind whose final counts none.
	live func(name string) int64
	// drive, if set, is the whole run of a kind whose object starts
	// processes of its own (a pool): it makes the object called name,
	// uses it for cfg.Duration, kills its processes, checks it and
	// reports through t. The fields above are then unused.
	drive func(ctx context.Context, cfg Config, name string, rng *rand.Rand, t *tally) (driven, error)
}

// driven is what a drive counted.
type driven struct {
	ops, kills, recoveries, hangs int64
	elapsed                       time.Duration
}

// totals is what the parent knows at the end.
type totals struct {
	ops, kills int64
}

// kinds is every kind, by name: adding a kind adds its file and a line
// here.
var kinds = map[string]kind{
	"array":     arrayKind,
	"barrier":   barrierKind,
	"dict":      dictKind,
	"event":     eventKind,
	"mutex":     mutexKind,
	"pool":      poolKind,
	"queue":     queueKind,
	"ring":      ringKind,
	"semaphore": semaphoreKind,
	"stream":    streamKind,
	"value":     valueKind,
}

// Kinds returns the names of the kinds, sorted.
func Kinds() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// MaxProcs is the most workers Run starts at once.
const MaxProcs = 256

// ErrInvalidConfig is returned (wrapped, saying what is wrong) by Run for
// a Config it cannot run.
var ErrInvalidConfig = errors.New("invalid stress configuration")

// Config says what Run does.
type Config struct {
	Kind      string        // one of Kinds
	Procs     int           // workers at any time, 1 to MaxProcs
	Duration  time.Duration // how long to run, positive
	KillEvery time.Duration // SIGKILL a random worker this often; 0: never
	Seed      uint64        // seed of the random choices; 0: pick one (Report.Seed says which)
	Progress  io.Writer     // each violation as found, and with Terminal a line a second; nil: none
	Terminal  bool          // Progress is a terminal a person watches: print the live line there
}

// Report is what a run found.
type Report struct {
	Kind       string  `json:"kind"`
	Procs      int     `json:"procs"`
	DurationS  float64 `json:"duration_s"`
	Ops        int64   `json:"ops"`
	Kills      int64   `json:"kills"`
	Recoveries int64   `json:"recoveries"`
	Violations int64   `json:"violations"`
	Hangs      int64   `json:"hangs"`
	Seed       uint64  `json:"seed"`
	// Problems says what each violation (hangs included) was, in the
	// order found.
	Problems []string `json:"-"`
}

// Run creates the object, runs the workers for cfg.Duration (or until ctx
// ends), checks the object and removes it. Violations and hangs are in
// the Report, not the error: the error says that the run itself failed.
func Run(ctx context.Context, cfg Config) (Report, error) {
	k, ok := kinds[cfg.Kind]
	if !ok {
		return Report{}, fmt.Errorf("%w: kind %q: want one of %s", ErrInvalidConfig, cfg.Kind, strings.Join(Kinds(), ", "))
	}
	if cfg.Procs < 1 || cfg.Procs > MaxProcs || cfg.Duration <= 0 || cfg.KillEvery < 0 {
		return Report{}, fmt.Errorf("%w: want 1 to %d procs, a positive duration and a non-negative kill interval", ErrInvalidConfig, MaxProcs)
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	return run(ctx, cfg, k)
}
