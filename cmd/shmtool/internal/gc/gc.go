package gc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"
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
	// DryRun says what Run would remove and sweep, and removes nothing.
	DryRun bool

	// liveDir, for tests, is where liveness files are swept from, though
	// Dir is not "" (live.Dir when "").
	liveDir string
}

// What Run did with a segment or liveness file, in Entry.Action and
// LiveEntry.Action.
const (
	Kept        = "kept"
	Removed     = "removed"
	WouldRemove = "would remove"
	Swept       = "swept"
	WouldSweep  = "would sweep"
)

// Entry is one segment Run looked at.
type Entry struct {
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Size   int64  `json:"size"`
	Action string `json:"action"` // Kept, Removed or WouldRemove
	Why    string `json:"why"`
}

// LiveEntry is the liveness file of a dead process (see internal/live):
// nobody holds its lock.
type LiveEntry struct {
	Path   string `json:"path"`
	PID    int    `json:"pid,omitempty"` // the pid it records, 0 if unreadable
	Action string `json:"action"`        // Swept or WouldSweep
	Why    string `json:"why,omitempty"` // why a sweep failed
}

// Report is what a run found and did.
type Report struct {
	DryRun   bool        `json:"dry_run"`
	Segments []Entry     `json:"segments"`       // by name; empty, never nil
	Liveness []LiveEntry `json:"liveness_files"` // dead processes' files, by path; empty, never nil
	// LivenessSwept is how many of Liveness were removed (0 with DryRun).
	LivenessSwept int `json:"liveness_files_swept"`
	// ProcsInspected is true only if every process's /proc entries were
	// read (procscan.Snapshot.Complete): as root, usually. Otherwise
	// UnreadableProcs counts those that could not be, and HiddenProcs
	// says that /proc hid other users' processes altogether.
	ProcsInspected  bool `json:"all_processes_inspected"`
	ProcsScanned    int  `json:"processes_scanned"`
	UnreadableProcs int  `json:"unreadable_processes"`
	HiddenProcs     bool `json:"processes_hidden,omitempty"`
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
	// One scan for every segment, the one who and ls use too: a process
	// is read once, not once a segment.
	inUse := procscan.Scan(procscan.All)
	rep := Report{
		DryRun: cfg.DryRun, Segments: []Entry{}, Liveness: []LiveEntry{},
		ProcsInspected: inUse.Complete, ProcsScanned: inUse.Scanned, UnreadableProcs: inUse.Unreadable, HiddenProcs: inUse.Hidden,
	}
	for _, info := range infos {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if e, ok := judge(info, inUse, cfg); ok {
			rep.Segments = append(rep.Segments, e)
		}
	}
	if dir := cfg.liveDir; dir != "" || cfg.Dir == "" {
		if dir == "" {
			dir = live.Dir
		}
		rep.Liveness = sweep(dir, cfg.DryRun)
		for _, e := range rep.Liveness {
			if e.Action == Swept {
				rep.LivenessSwept++
			}
		}
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

// sweep finds the liveness files in dir whose lock nobody holds (their
// processes are dead), and removes them unless dryRun; this process's
// own is skipped. It is live.Sweep, which only counts, made to say which
// files, and to look without removing: the test is the same, an
// exclusive lock taken without waiting and let go at once.
func sweep(dir string, dryRun bool) []LiveEntry {
	paths, _ := filepath.Glob(filepath.Join(dir, live.Prefix+"*"))
	self := ""
	if t := live.Current(); t != 0 {
		self = filepath.Join(dir, filepath.Base(live.Path(t)))
	}
	out := []LiveEntry{}
	for _, p := range paths {
		if p == self {
			continue
		}
		fl := flock.New(p, flock.SetFlag(os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC))
		if ok, err := fl.TryLock(); err != nil || !ok {
			_ = fl.Close()
			continue // held: its process lives (or the file is not ours to judge)
		}
		e := LiveEntry{Path: p, PID: recordedPID(p), Action: WouldSweep}
		if !dryRun {
			if err := os.Remove(p); err != nil {
				e.Action, e.Why = Kept, err.Error()
			} else {
				e.Action = Swept
			}
		}
		_ = fl.Close()
		out = append(out, e)
	}
	return out
}

// recordedPID reads the "pid=P start=S" a liveness file holds; 0 if it
// cannot.
func recordedPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	var pid int
	var start uint64
	if _, err := fmt.Sscanf(string(b), "pid=%d start=%d", &pid, &start); err != nil {
		return 0
	}
	return pid
}

func joinPIDs(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}
