// Package testmsg makes and checks the numbered test messages that the
// ring and queue tests send between processes: a length and bytes derived
// from the sequence number, so that a receiver can check each message
// whole without being told what was sent.
package testmsg
