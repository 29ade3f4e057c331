//go:build !race

package ringbuf_test

const crossProcessMessages = 10_000_000

const streamBytes = 1 << 30
