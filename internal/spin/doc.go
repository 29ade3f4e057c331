// Package spin holds what the ring (package ringbuf) and the queue
// (package queue) share about waiting: the Wait strategies, PAUSE-based
// back-off, release stores, prefetches and load fences in assembly, and
// the asymmetric fence (membarrier) that lets a busy side publish its
// position without a full fence.
//
// It is internal: the public packages re-export Wait and its constants.
package spin
