//go:build linux

package shmnet

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// A connection's shared memory is one memfd (no name: it goes when the
// last process holding it exits, however it exits), laid out as
//
//	0       header line: magic, version, capacity (see docs/FORMAT.md)
//	128     direction 0 (dialer to listener): writer line, reader line, flags line
//	512     direction 1 (listener to dialer): the same
//	4096    data of direction 0, capacity bytes; then data of direction 1
//
// Each direction is a byte ring: the writer owns wpos, the reader rpos,
// both counting bytes since the start and never wrapping in practice.
// Each position sits on its own 128-byte line (the adjacent-line
// prefetcher fetches lines in pairs).
const (
	magic      = 0x31746e6d68732e2e // "..shmnt1", little-endian
	version    = 2                  // 2: the hello carries the memfd alone; wake-ups go over the socket
	headerSize = 4096
	dirOffset  = 128
	dirSize    = 384
	lineSize   = 128
	// Offsets in the header, and in a direction's lines.
	offMagic, offVersion, offCapacity                               = 0, 8, 16
	offWpos, offRpos                                                = 0, lineSize
	offReaderParked, offWriterParked, offWriteClosed, offReadClosed = 2 * lineSize, 2*lineSize + 4, 2*lineSize + 8, 2*lineSize + 12
	MinCapacity                                                     = 4 << 10 // smallest buffer per direction
	MaxCapacity                                                     = 1 << 30 // largest buffer per direction
	// DefaultCapacity is the buffer per direction when Config.Capacity is 0.
	DefaultCapacity = 1 << 20
)

// dir is one direction's shared words, viewed in place.
type dir struct {
	wpos *atomic.Uint64 // bytes written: the writer's
	rpos *atomic.Uint64 // bytes read: the reader's
	// readerParked/writerParked are 1 while that side sleeps; the other
	// side clears one (CAS) before it sends the wake-up byte on the
	// socket, so that a sleeper costs one wake-up.
	readerParked *atomic.Uint32
	writerParked *atomic.Uint32
	writeClosed  *atomic.Uint32 // the writer closed (CloseWrite or Close): EOF after the data
	readClosed   *atomic.Uint32 // the reader closed (CloseRead or Close): writes fail
	data         []byte
	mask         uint64
}

// segmentSize is the bytes of a connection of capacity bytes per direction.
func segmentSize(capacity int) int { return headerSize + 2*capacity }

// validCapacity reports whether c is a power of two in range.
func validCapacity(c uint64) bool {
	return c >= MinCapacity && c <= MaxCapacity && c&(c-1) == 0
}

// initHeader writes a new connection's header.
func initHeader(mem []byte, capacity int) {
	binary.LittleEndian.PutUint64(mem[offMagic:], magic)
	binary.LittleEndian.PutUint32(mem[offVersion:], version)
	binary.LittleEndian.PutUint64(mem[offCapacity:], uint64(capacity))
}

// checkHeader validates a connection's header against the mapping's
// size, and returns the capacity. Everything in it came from another
// process.
func checkHeader(mem []byte) (int, error) {
	if len(mem) < headerSize {
		return 0, fmt.Errorf("%w: %d bytes of shared memory", ErrCorrupt, len(mem))
	}
	if m := binary.LittleEndian.Uint64(mem[offMagic:]); m != magic {
		return 0, fmt.Errorf("%w: magic %#x", ErrCorrupt, m)
	}
	if v := binary.LittleEndian.Uint32(mem[offVersion:]); v != version {
		return 0, fmt.Errorf("%w: layout version %d, want %d", ErrVersion, v, version)
	}
	c := binary.LittleEndian.Uint64(mem[offCapacity:])
	if !validCapacity(c) || uint64(len(mem)) != uint64(segmentSize(int(c))) {
		return 0, fmt.Errorf("%w: capacity %d in %d bytes", ErrCorrupt, c, len(mem))
	}
	return int(c), nil
}

// dirs views the two directions of a validated mapping.
func dirs(mem []byte, capacity int) [2]dir {
	var d [2]dir
	for i := range d {
		base := dirOffset + i*dirSize
		d[i] = dir{
			wpos:         word64(mem, base+offWpos),
			rpos:         word64(mem, base+offRpos),
			readerParked: word32(mem, base+offReaderParked),
			writerParked: word32(mem, base+offWriterParked),
			writeClosed:  word32(mem, base+offWriteClosed),
			readClosed:   word32(mem, base+offReadClosed),
			data:         mem[headerSize+i*capacity : headerSize+(i+1)*capacity : headerSize+(i+1)*capacity],
			mask:         uint64(capacity - 1),
		}
	}
	return d
}
