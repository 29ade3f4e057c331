package semaphore

import "github.com/shmkit/shmkit/shm"

// Config describes a new semaphore.
type Config struct {
	Value   int64 // initial permits
	Max     int64 // bound; 0 for none
	Tracked bool  // record holders, so that a dead holder's permits return
}

// Create makes a segment called name holding one Semaphore configured by
// cfg. Close the returned object when done; the semaphore lives on until
// the segment is removed (shm.Remove).
func Create(name string, cfg Config, opts *shm.Options) (*shm.Object[Semaphore], error) {
	return shm.CreateObject(name, func(s *Semaphore) error { return s.Init(cfg.Value, cfg.Max, cfg.Tracked) }, opts)
}

// Open opens the semaphore segment called name.
func Open(name string, opts *shm.Options) (*shm.Object[Semaphore], error) {
	return shm.OpenObject[Semaphore](name, opts)
}
