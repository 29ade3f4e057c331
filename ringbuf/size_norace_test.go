//go:build !race

package ringbuf_test

const crossProcessMessages = 10_000_000
