package ringbuf_test

import "github.com/shmkit/shmkit/internal/testmsg"

// The numbered messages of the cross-process tests (see testmsg).
var (
	msgLen = testmsg.Len
	fill   = testmsg.Fill
	check  = testmsg.Check
)
