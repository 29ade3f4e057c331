// Package testmsg holds what the ring and queue tests share: the numbered
// messages they send between processes (Len, Fill, Check), whose length
// and bytes derive from the sequence number so that a receiver can check
// each one whole without being told what was sent; a loop that follows an
// observer (ObserveUntil); a truncation by another process
// (TruncateSoon); and a queue's relaxed and fencing counts (QueueCounts,
// Relaxed), which the queue's and the Python interop tests check.
package testmsg
