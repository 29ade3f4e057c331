//go:build race

package queue_test

// Under the race detector every copy is checked byte by byte: fewer
// messages keep the run short.
const queueMessages = 25_000
