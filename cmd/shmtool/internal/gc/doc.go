// Package gc is shmtool gc's engine: it removes the shmkit segments of a
// directory that no process maps or holds open, as a procscan of /proc
// finds them (the scan who and ls use too), and sweeps the liveness files
// of dead processes.
//
//	rep, err := gc.Run(ctx, gc.Config{MinAge: time.Minute, DryRun: true})
//	for _, e := range rep.Segments {
//		fmt.Println(e.Action, e.Name, e.Why)
//	}
//	for _, e := range rep.Liveness {
//		fmt.Println(e.Action, e.Path)
//	}
//
// Run returns a Report and prints nothing. Files without a shmkit header
// are never touched. With DryRun it removes nothing and the Report says
// what it would remove and sweep. Report.ProcsInspected is true only when
// every process's /proc entries could be read; otherwise
// Report.UnreadableProcs counts those that could not.
//
// # Caveats
//
// Removing only unlinks the name: a process that maps the segment after
// Run looked keeps its memory, and one that opens it by name afterwards
// finds nothing. Config.MinAge is the guard for segments being set up
// right now. When some process's /proc entries cannot be read (another
// user's, without privilege), only segments that no other user may open
// (mode 0600) are removed.
//
// A liveness file is judged by its lock, as internal/live does: one whose
// exclusive lock Run can take at once belongs to a dead process. Taking
// it, even for a dry run, makes a live.Alive of that token in another
// process read "alive" for that instant, which is the safe mistake.
//
// Do not use it where segments are meant to outlive every process that
// maps them (made now, opened by name later): between two uses such a
// segment looks unused, and MinAge only puts off its removal.
package gc
