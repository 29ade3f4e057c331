package reexec

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// The child's side of the line protocol: lines to the parent on stdout,
// lines from it on stdin, read by one goroutine from the first use on.

var (
	stdoutMu  sync.Mutex
	stdinOnce sync.Once
	stdin     *lineQueue
	stdinCtx  context.Context
)

// startStdin starts reading stdin into a queue; the context it returns is
// cancelled at end of file.
func startStdin() {
	stdinOnce.Do(func() {
		var cancel context.CancelFunc
		stdinCtx, cancel = context.WithCancel(context.Background())
		stdin = newLineQueue()
		go func() {
			defer cancel()
			defer stdin.close()
			readLines(os.Stdin, stdin)
		}()
	})
}

// readLines pushes every line of r (without its newline) to q, a last
// unterminated one included.
func readLines(r io.Reader, q *lineQueue) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			q.push(strings.TrimSuffix(line, "\n"))
		}
		if err != nil {
			return
		}
	}
}

func parentContext() context.Context {
	startStdin()
	return stdinCtx
}

// Send writes one line to the parent (format and args as for fmt.Printf;
// the newline is added); for use in a child. Lines from concurrent calls
// do not interleave.
func Send(format string, args ...any) error {
	line := fmt.Sprintf(format, args...) + "\n"
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	_, err := io.WriteString(os.Stdout, line)
	return err
}

// Recv returns the next line from the parent, without its newline; for
// use in a child. It returns io.EOF once the parent has closed the pipe
// (or died) and every line sent before has been read.
func Recv() (string, error) {
	startStdin()
	line, ok, _ := stdin.next(0)
	if !ok {
		return "", io.EOF
	}
	return line, nil
}
