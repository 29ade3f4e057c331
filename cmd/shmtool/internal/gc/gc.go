package gc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/procscan"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
)

// ErrInvalidConfig is returned (wrapped, saying what is wrong) by Run for
// a Config it cannot run.
var ErrInvalidConfig = errors.New("invalid gc configuration")

// Config says where Run looks and what it may remove.
type Config struct {
	// Dir is the directory of segments; "" is shm.DefaultDir, and only
	// then does Run sweep liveness files too.
	Dir string
	// MinAge keeps segments modified less than this long ago; not
	// negative.
	MinAge time.Duration
	// DryRun says what Run would remove and removes nothing.
	DryRun bool
}

// What Run did with a segment, in Entry.Action.
const (
	Kept        = "kept"
	Removed     = "removed"
	WouldRemove = "would remove"
)

// Entry is one segment Run looked at.
type Entry struct {
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Size   int64  `json:"size"`
	Action string `json:"action"` // Kept, Removed or WouldRemove
	Why    string `json:"why"`
}

// Report is what a run found and did.
type Report struct {
	Segments       []Entry `json:"segments"` // by name; empty, never nil
	LivenessSwept  int     `json:"liveness_files_swept"`
	ProcsInspected bool    `json:"all_processes_inspected"` // every process's /proc entries were read
}

// Run removes the segments in cfg.Dir that no process maps or holds open,
// unless cfg says to keep them, and reports on each.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.MinAge < 0 {
		return Report{}, fmt.Errorf("%w: MinAge %v is negative", ErrInvalidConfig, cfg.MinAge)
	}
	infos, err := shm.List(cfg.Dir)
	if err != nil {
		return Report{}, err
	}
	// One scan for every segment: a process is read once, not once a
	// segment.
	inUse := procscan.Scan(procscan.Mapped | procscan.Open)
	rep := Report{Segments: []Entry{}, ProcsInspected: inUse.Complete}
	for _, info := range infos {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if e, ok := judge(info, inUse, cfg); ok {
			rep.Segments = append(rep.Segments, e)
		}
	}
	if !cfg.DryRun && cfg.Dir == "" {
		rep.LivenessSwept = live.Sweep()
	}
	return rep, nil
}

// judge decides about one segment, and removes it unless it must stay;
// false if the file went away meanwhile.
func judge(info shm.Info, inUse *procscan.Snapshot, cfg Config) (Entry, bool) {
	e := Entry{Name: info.Name, Kind: info.Header.Kind, Size: info.Size, Action: Kept}
	fi, err := os.Lstat(info.Path)
	if err != nil {
		return e, false
	}
	id, ok := procscan.IDOf(fi)
	var pids []int
	if ok {
		pids = inUse.PIDs(id)
	}
	switch {
	case !ok:
		e.Why = "cannot identify the file"
	case len(pids) > 0:
		e.Why = "in use by pid " + joinPIDs(pids)
	case time.Since(fi.ModTime()) < cfg.MinAge:
		e.Why = "younger than --min-age" // the reasons are for shmtool's users
	case !inUse.Complete && fi.Mode().Perm()&0o077 != 0:
		e.Why = "others may open it, and some processes could not be inspected"
	case cfg.DryRun:
		e.Action, e.Why = WouldRemove, "no process maps or holds it"
	default:
		if err := shm.Remove(info.Name); err != nil {
			e.Why = err.Error()
		} else {
			e.Action, e.Why = Removed, "no process mapped or held it"
		}
	}
	return e, true
}

func joinPIDs(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}
