//go:build !race

package queue_test

// queueMessages is how many messages each producer process writes in the
// 4×4 queue test.
const queueMessages = 250_000
