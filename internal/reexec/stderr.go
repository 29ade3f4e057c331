package reexec

import (
	"bytes"
	"io"
	"sync"
)

// maxStderr bounds what a Child keeps of its stderr: enough for any
// diagnostic, not enough to run out of memory on a child that floods it.
const maxStderr = 1 << 20

// stderrBuffer keeps the first maxStderr bytes a child writes to stderr
// and copies all of them to tee, if set. It is written by exec's copying
// goroutine and read by the parent's.
type stderrBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	dropped bool
	tee     io.Writer
}

func (b *stderrBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxStderr - b.buf.Len(); room < len(p) {
		b.buf.Write(p[:max(room, 0)])
		b.dropped = true
	} else {
		b.buf.Write(p)
	}
	if b.tee != nil {
		_, _ = b.tee.Write(p) // a failing tee must not stop the child's stderr
	}
	return len(p), nil
}

func (b *stderrBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped {
		return b.buf.String() + "\n[more stderr dropped]"
	}
	return b.buf.String()
}
