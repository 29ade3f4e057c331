package demo

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/shm"
)

// MaxSize is the largest message Run sends.
const MaxSize = 1 << 20

// ErrInvalidConfig is returned (wrapped, saying what is wrong) by Run for
// a Config it cannot run.
var ErrInvalidConfig = errors.New("invalid demo configuration")

// Config says what Run sends.
type Config struct {
	Messages int // how many, at least 1
	Size     int // bytes each, 1 to MaxSize
}

// Report is what a run did.
type Report struct {
	Messages, Size       int
	Path                 string // the segment's file
	WriterPID, ReaderPID int
	CRC                  uint32 // CRC-32 (IEEE) of every message, which the reader computed too
	Elapsed              time.Duration
}

// seq tells apart the segments of Runs in one process.
var seq atomic.Int64

// Run creates a segment, starts the reader process on it, and hands it
// cfg.Messages messages one at a time. It fails unless the reader saw
// every message and every byte of them.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Messages < 1 || cfg.Size < 1 || cfg.Size > MaxSize {
		return Report{}, fmt.Errorf("%w: %d messages of %d bytes: want at least 1 message of 1 to %d bytes", ErrInvalidConfig, cfg.Messages, cfg.Size, MaxSize)
	}
	name := fmt.Sprintf("shmtool-demo-%d-%d", os.Getpid(), seq.Add(1))
	seg, err := shm.Create(name, bufferOff+cfg.Size, nil)
	if err != nil {
		return Report{}, err
	}
	defer shm.Remove(name)
	defer seg.Close()
	turn, length, err := words(seg)
	if err != nil {
		return Report{}, err
	}
	c, err := reexec.Start(ctx, readerRole, reexec.Options{Args: []string{name}})
	if err != nil {
		return Report{}, err
	}
	defer c.Kill()
	// readerDied adds how the reader ended to a failed handoff.
	readerDied := func(err error) error {
		select {
		case <-c.Done():
			return errors.Join(err, c.Wait(0))
		default:
			return err
		}
	}
	buf := seg.Payload()[bufferOff : bufferOff+cfg.Size]
	var sum uint32
	start := time.Now()
	for i := range cfg.Messages {
		if err := handoff(turn, writersTurn); err != nil {
			return Report{}, readerDied(err)
		}
		for j := range buf {
			buf[j] = byte(i + j*31)
		}
		sum = crc32.Update(sum, crc32.IEEETable, buf)
		length.Store(uint32(cfg.Size))
		if err := give(turn, readersTurn); err != nil {
			return Report{}, err
		}
	}
	if err := handoff(turn, writersTurn); err != nil {
		return Report{}, readerDied(err)
	}
	if err := give(turn, done); err != nil {
		return Report{}, err
	}
	rest, err := c.Expect("read", turnTimeout)
	elapsed := time.Since(start)
	if err != nil {
		return Report{}, err
	}
	if err := c.Wait(turnTimeout); err != nil {
		return Report{}, err
	}
	if want := fmt.Sprintf("%d %x", cfg.Messages, sum); rest != want {
		return Report{}, fmt.Errorf("demo: the reader read %q, want %d messages with crc %x", rest, cfg.Messages, sum)
	}
	return Report{Messages: cfg.Messages, Size: cfg.Size, Path: seg.Path(), WriterPID: os.Getpid(), ReaderPID: c.Pid(), CRC: sum, Elapsed: elapsed}, nil
}

// words returns the turn and length words of a demo segment.
func words(seg *shm.Segment) (turn, length *atomic.Uint32, err error) {
	if turn, err = shm.View[atomic.Uint32](seg, turnOff); err != nil {
		return nil, nil, err
	}
	if length, err = shm.View[atomic.Uint32](seg, lengthOff); err != nil {
		return nil, nil, err
	}
	return turn, length, nil
}
