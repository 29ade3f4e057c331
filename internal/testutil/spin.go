package testutil

import "time"

// SpinFor busy-waits for d: a sleep would take far longer than asked.
func SpinFor(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
