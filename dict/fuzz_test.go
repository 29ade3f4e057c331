package dict_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shmkit/shmkit/dict"
)

// FuzzHostile scribbles on a dict's shared memory (geometry excluded:
// Open validates it) and runs every operation on it: each returns a
// result or an error, never a panic, a hang or an access outside the
// segment.
func FuzzHostile(f *testing.F) {
	f.Add(uint32(200), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint32(4000), []byte{1, 0, 0, 0, 0, 0, 0, 0})
	f.Add(uint32(130), []byte{3})
	f.Fuzz(func(t *testing.T, at uint32, junk []byte) {
		d, err := dict.New(dict.Config{Capacity: 16 * 128, MaxKey: 16, MaxValue: 64, Shards: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			d.Set([]byte(fmt.Sprint("k", i)), []byte(fmt.Sprint("v", i)), 0)
		}
		mem := d.Segment().Payload()
		off := 128 + int(at)%(len(mem)-128) // past the geometry
		copy(mem[off:], junk)
		exerciseBounded(t, d)
		d.Close()
	})
}

// exerciseBounded is exercise that fails the test if it takes more than
// a few seconds: a hang.
func exerciseBounded(t *testing.T, d *dict.Dict) {
	done := make(chan struct{})
	go func() { exercise(t, d); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("operations on a scribbled dict hang") // and d stays open: its Close would wait for them
	}
}

func exercise(t *testing.T, d *dict.Dict) {
	ok := func(err error) {
		if err != nil && !errors.Is(err, dict.ErrCorrupt) && !errors.Is(err, dict.ErrFull) && !errors.Is(err, dict.ErrExists) &&
			!errors.Is(err, dict.ErrNotFound) && !errors.Is(err, dict.ErrNotInteger) {
			t.Logf("error: %v", err) // another error is fine too (an unrecoverable lock), as long as it returns
		}
	}
	for i := range 20 {
		k := []byte(fmt.Sprint("k", i))
		_, _, err := d.Get(k)
		ok(err)
		_, err = d.Set(k, []byte("new"), 0)
		ok(err)
		ok(d.Add([]byte(fmt.Sprint("a", i)), []byte("x"), 0))
		_, err = d.Incr([]byte("n"), 1)
		ok(err)
		_, err = d.Delete(k)
		ok(err)
	}
	for range d.All() {
	}
	d.Len()
	d.Stats()
}

// TestHostileWords writes extreme values into every 8-byte word of a
// small dict past its geometry, one at a time.
func TestHostileWords(t *testing.T) {
	for _, v := range []uint64{1, 1 << 32, 0xffffffff, ^uint64(0), 0x0000_0001_0000_0001} {
		for off := 128; off < 16*128+4096; off += 8 {
			d, err := dict.New(dict.Config{Capacity: 8 * 128, MaxKey: 16, MaxValue: 64, Shards: 2})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 6 {
				d.Set([]byte(fmt.Sprint("k", i)), []byte(fmt.Sprint("v", i)), 0)
			}
			mem := d.Segment().Payload()
			if off+8 > len(mem) {
				d.Close()
				break
			}
			binary.LittleEndian.PutUint64(mem[off:], v)
			exerciseBounded(t, d)
			d.Close()
		}
	}
}
