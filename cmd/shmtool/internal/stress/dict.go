package stress

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/shm"
)

// The dict kind: workers churn a small dict (more keys than it holds, so
// that Set evicts) with Set, Get, Add, Delete and CompareAndSwap of values
// that are eight equal words, so that a torn read shows; and they count,
// in a second dict ("-b", roomy: nothing is evicted), with Incr on one
// shared key and a per-worker record of the increments acknowledged.
// Every value read must be whole; at the end the shared count must be at
// least the sum of the acknowledged increments, and at most that plus one
// per killed worker (killed after its Incr, before recording it).
var dictKind = kind{
	create: func(name string, _ int) error {
		d, err := dict.Create(name, dict.Config{Capacity: 96 * 128, MaxKey: 16, MaxValue: 64, Shards: 4}, nil)
		if err != nil {
			return err
		}
		d.Close()
		c, err := dict.Create(name+"-b", dict.Config{Capacity: 1024 * 64, MaxKey: 16, MaxValue: 8}, nil)
		if err != nil {
			return err
		}
		return c.Close()
	},
	work:       dictWork,
	failpoints: []string{"dict/set/fill", "dict/set/overwrite", "dict/delete/before", "dict/evict/before", "dict/incr/before", "futex/mutex/acquired", "futex/mutex/release"},
	final:      dictFinal,
	live:       dictLive,
}

// dictValue is eight copies of word.
func dictValue(word uint64) []byte {
	b := make([]byte, 64)
	for i := 0; i < 64; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], word)
	}
	return b
}

func dictTorn(v []byte) bool {
	if len(v) != 64 {
		return true
	}
	for i := 8; i < 64; i += 8 {
		if string(v[i:i+8]) != string(v[:8]) {
			return true
		}
	}
	return false
}

func dictWork(ctx context.Context, name string, id int, r *reporter) error {
	d, err := dict.Open(name, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	c, err := dict.Open(name+"-b", nil)
	if err != nil {
		return err
	}
	defer c.Close()
	rng := rand.New(rand.NewPCG(uint64(id), 11))
	buf := make([]byte, 0, 64)
	acked := int64(0)
	ackKey := []byte(fmt.Sprintf("acked-%d", id))
	for n := uint64(1); ctx.Err() == nil; n++ {
		key := []byte(fmt.Sprintf("k%d", rng.IntN(160)))
		val := dictValue(uint64(id)<<40 | n)
		var err error
		switch op := rng.IntN(10); {
		case op < 4:
			var v []byte
			var ok bool
			v, ok, err = d.AppendGet(buf[:0], key)
			if err == nil && ok && dictTorn(v) {
				r.violation("torn value %x", v)
			}
		case op < 6:
			_, err = d.Set(key, val, 0)
		case op < 7:
			if err = d.Add(key, val, 0); errors.Is(err, dict.ErrExists) || errors.Is(err, dict.ErrFull) {
				err = nil
			}
		case op < 8:
			_, err = d.Delete(key)
		case op < 9:
			var v []byte
			var ok bool
			if v, ok, err = d.AppendGet(buf[:0], key); err == nil && ok {
				_, err = d.CompareAndSwap(key, v, val)
			}
		default:
			var sum int64
			if sum, err = c.Incr([]byte("hits"), 1); err == nil {
				if sum < acked+1 {
					r.violation("Incr returned %d after %d acknowledged by this worker alone", sum, acked)
				}
				acked++
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], uint64(acked))
				_, err = c.Set(ackKey, b[:], 0)
			}
		}
		if err != nil {
			r.violation("%v", err)
			return err
		}
		r.op()
	}
	return ctx.Err()
}

// dictLive reads the repairs dictFinal counts, of both dicts, so far.
func dictLive(name string) int64 {
	var n int64
	for _, nm := range []string{name, name + "-b"} {
		seg, err := shm.Open(nm, &shm.Options{ReadOnly: true})
		if err != nil {
			continue
		}
		if st, err := dict.Inspector().Inspect(seg); err == nil {
			if s, ok := st.(dict.Stats); ok {
				n += int64(s.Repairs)
			}
		}
		seg.Close()
	}
	return n
}

func dictFinal(name string, tot totals) ([]string, int64) {
	var problems []string
	d, err := dict.Open(name, nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer d.Close()
	c, err := dict.Open(name+"-b", nil)
	if err != nil {
		return []string{err.Error()}, 0
	}
	defer c.Close()
	n := 0
	for k, v := range d.All() {
		n++
		if dictTorn(v) {
			problems = append(problems, fmt.Sprintf("final value of %q torn: %x", k, v))
		}
	}
	if n != d.Len() {
		problems = append(problems, fmt.Sprintf("All gave %d entries, Len says %d", n, d.Len()))
	}
	var hits, acked int64
	for k, v := range c.All() {
		switch {
		case string(k) == "hits":
			hits = int64(binary.LittleEndian.Uint64(v))
		case strings.HasPrefix(string(k), "acked-"):
			acked += int64(binary.LittleEndian.Uint64(v))
		}
	}
	if hits < acked || hits > acked+tot.kills {
		problems = append(problems, fmt.Sprintf("hits = %d, want %d acknowledged plus at most %d (kills)", hits, acked, tot.kills))
	}
	return problems, int64(d.Stats().Repairs + c.Stats().Repairs)
}
