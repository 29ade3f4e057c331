// Package netscan finds, in /proc, the shmnet listeners and connections
// of this machine, for shmtool ls and inspect: a listener is a Unix
// socket in the abstract namespace (/proc/net/unix), a connection a memfd
// that two processes hold (/proc/PID/fd), whose state it reads through a
// read-only mapping. It never writes to either, and never takes a lock.
package netscan
