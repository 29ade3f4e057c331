package semaphore

import "github.com/shmkit/shmkit/futex"

func (s *Semaphore) Mu() futex.MutexState { return s.mu.State() }
