package queue_test

import "github.com/shmkit/shmkit/internal/testmsg"

// The numbered messages of the cross-process tests (see testmsg).
var fill = testmsg.Fill
