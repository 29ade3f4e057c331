//go:build !race

package ringbuf_test

const crossProcessMessages = 10_000_000

const streamBytes = 1 << 30

// queueMessages is how many messages each producer process writes in the
// 4×4 queue test.
const queueMessages = 250_000
