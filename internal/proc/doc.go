// Package proc identifies processes in a way that survives pid reuse.
//
// A process is named by its pid and its start time (clock ticks since boot,
// field 22 of /proc/PID/stat). A pid that has been reused belongs to a
// process with a different start time, so [Alive] does not mistake the new
// process for the old one, which a bare kill(pid, 0) would.
//
// # Caveats
//
// Pids are only meaningful inside one pid namespace, and start times only
// within one boot; callers that persist an ID across reboots also record
// [BootID].
package proc
