package main

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// The demo's payload: a turn word, a length, then a message buffer.
const (
	demoTurn   = 0  // 0: the writer's turn; 1: the reader's; 2: done
	demoLen    = 4  // bytes of the current message
	demoBuffer = 64 // the message itself
)

func newDemo(stdout, stderr io.Writer) *cobra.Command {
	var (
		messages, size int
		child          string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Pass messages through shared memory from this process to a child process",
		Long: `Create a segment, start a second shmtool process that maps it, and hand it
messages one at a time, parking on a futex word in the segment between turns.
The child checks the CRC-32 of every message; the demo prints the totals.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(_ *cobra.Command, _ []string) error {
			if messages <= 0 || size <= 0 || size > 1<<20 {
				return usagef("--messages must be positive and --size from 1 to 1048576")
			}
			if child != "" {
				return demoRead(stdout, child)
			}
			return demoWrite(stdout, stderr, messages, size)
		},
	}
	cmd.Flags().IntVar(&messages, "messages", 100000, "messages to send")
	cmd.Flags().IntVar(&size, "size", 64, "bytes per message")
	cmd.Flags().StringVar(&child, "child", "", "internal: run as the reading child on segment NAME")
	_ = cmd.Flags().MarkHidden("child")
	return cmd
}

// handoff waits until the turn word holds want, parking on the futex.
func handoff(turn *atomic.Uint32, want uint32, deadline time.Time) error {
	for {
		v := turn.Load()
		if v == want {
			return nil
		}
		if v == 2 && want != 2 {
			return errors.New("peer finished early")
		}
		if err := futex.WaitUntil(turn, v, deadline); err != nil {
			return fmt.Errorf("peer did not answer: %w", err)
		}
	}
}

// give stores next in the turn word and wakes the peer.
func give(turn *atomic.Uint32, next uint32) error {
	turn.Store(next) // release: the message bytes happen-before the peer's load
	_, err := futex.Wake(turn, 1)
	return err
}

func demoWrite(stdout, stderr io.Writer, messages, size int) error {
	name := fmt.Sprintf("shmtool-demo-%d", os.Getpid())
	seg, err := shm.Create(name, demoBuffer+size, nil)
	if err != nil {
		return err
	}
	defer shm.Remove(name)
	defer seg.Close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "demo", "--child", name)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	p := seg.Payload()
	turn, length, buf := wordAt(p, demoTurn), wordAt(p, demoLen), p[demoBuffer:demoBuffer+size]
	var sum uint32
	start := time.Now()
	for i := range messages {
		if err := handoff(turn, 0, time.Now().Add(10*time.Second)); err != nil {
			return err
		}
		for j := range buf {
			buf[j] = byte(i + j*31)
		}
		sum = crc32.Update(sum, crc32.IEEETable, buf)
		length.Store(uint32(size))
		if err := give(turn, 1); err != nil {
			return err
		}
	}
	if err := handoff(turn, 0, time.Now().Add(10*time.Second)); err != nil {
		return err
	}
	if err := give(turn, 2); err != nil {
		return err
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	elapsed := time.Since(start)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("reader process: %w", err)
	}
	f := strings.Fields(line)
	if len(f) != 2 || f[0] != strconv.Itoa(messages) || f[1] != strconv.FormatUint(uint64(sum), 16) {
		return fmt.Errorf("reader saw %q, want %d messages with crc %x", strings.TrimSpace(line), messages, sum)
	}
	fmt.Fprintf(stdout, "sent %d messages of %d bytes from pid %d to pid %d through %s\n", messages, size, os.Getpid(), cmd.Process.Pid, seg.Path())
	fmt.Fprintf(stdout, "the reader verified every byte (crc32 %08x)\n", sum)
	fmt.Fprintf(stdout, "%v, %.0f round trips/s, %.2f µs each (blocking futex handoff)\n",
		elapsed.Round(time.Millisecond), float64(messages)/elapsed.Seconds(), elapsed.Seconds()*1e6/float64(messages))
	return nil
}

func demoRead(stdout io.Writer, name string) error {
	seg, err := shm.Open(name, &shm.Options{Kind: "raw"})
	if err != nil {
		return err
	}
	defer seg.Close()
	p := seg.Payload()
	turn, length := wordAt(p, demoTurn), wordAt(p, demoLen)
	var sum uint32
	n := 0
	for {
		for turn.Load() == 0 {
			if err := futex.WaitUntil(turn, 0, time.Now().Add(10*time.Second)); err != nil {
				return fmt.Errorf("writer did not answer: %w", err)
			}
		}
		if turn.Load() == 2 {
			break
		}
		l := int(length.Load()) // untrusted: bound it by the mapping
		if l < 0 || l > len(p)-demoBuffer {
			return fmt.Errorf("message length %d out of range", l)
		}
		sum = crc32.Update(sum, crc32.IEEETable, p[demoBuffer:demoBuffer+l])
		n++
		if err := give(turn, 0); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "%d %x\n", n, sum)
	return err
}
