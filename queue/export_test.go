package queue

// LateWakeups returns how many parks in this process timed out although
// what they waited for was there.
func LateWakeups() int64 { return lateWakeups.Load() }
