package demo

import (
	"context"
	"fmt"
	"hash/crc32"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/shm"
)

// readerRole is the second process: this binary, re-executed.
const readerRole = "shmtool-demo-reader"

// RegisterRoles registers with reexec the reader process Run starts. Call
// it once, before reexec.Main, in every binary that calls Run.
func RegisterRoles() { reexec.Register(readerRole, reader) }

// reader maps the segment args[0] names, takes every message the writer
// hands it, and at the end reports "read COUNT CRC".
func reader(_ context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("want a segment name, got %q", args)
	}
	seg, err := shm.Open(args[0], &shm.Options{Kind: "raw"})
	if err != nil {
		return err
	}
	defer seg.Close()
	turn, length, err := words(seg)
	if err != nil {
		return err
	}
	p := seg.Payload()
	var sum uint32
	n := 0
	for {
		err := handoff(turn, readersTurn)
		if turn.Load() == done { // handoff's "peer finished early": the end
			break
		}
		if err != nil {
			return fmt.Errorf("writer: %w", err)
		}
		l := int(length.Load()) // untrusted: bound it by the mapping
		if l < 0 || l > len(p)-bufferOff {
			return fmt.Errorf("message length %d out of range", l)
		}
		sum = crc32.Update(sum, crc32.IEEETable, p[bufferOff:bufferOff+l])
		n++
		if err := give(turn, writersTurn); err != nil {
			return err
		}
	}
	return reexec.Send("read %d %x", n, sum)
}
