// Package named is the shape every named handle of a placeable primitive
// shares (semaphore.Named, shmsync.Mutex, ...): a shm.Object of T, found
// by name, behind a gate, so that Close wakes this process's waiters and
// waits for the goroutines inside before it unmaps.
package named
