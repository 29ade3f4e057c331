//go:build race

package ringbuf_test

// Under the race detector every copy is checked byte by byte: fewer
// messages keep the run short.
const crossProcessMessages = 200_000

const streamBytes = 64 << 20
