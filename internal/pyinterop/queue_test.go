//go:build linux

package pyinterop_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/shm"
)

func newQueue(t *testing.T) (*queue.Queue, string) {
	t.Helper()
	name := testutil.Name(t)
	q, err := queue.Create(name, queue.Config{Slots: 256, MaxMessage: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); shm.Remove(name) })
	return q, name
}

// mix is peer.py's splitmix64: summed over the messages taken, it tells a
// lost or duplicated one from the exact set.
func mix(i uint64) uint64 {
	z := i + 0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// pyDone parses python's "done N CRC [SUM]".
func pyDone(t *testing.T, p *pyProc) (n int, crc uint32, sum uint64) {
	t.Helper()
	f := p.expect("done")
	if _, err := fmt.Sscan(strings.Join(f, " "), &n, &crc); err != nil {
		t.Fatalf("done line %q: %v", f, err)
	}
	if len(f) > 2 {
		sum, _ = strconv.ParseUint(f[2], 10, 64)
	}
	p.wait()
	return n, crc, sum
}

// Python puts, Go gets: every message, in order, then the end.
func TestQueuePythonToGo(t *testing.T) {
	q, name := newQueue(t)
	c, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := messages()
	py := startPy(t, "queue-produce", name, "0", strconv.Itoa(n))
	py.expect("ready")
	py.send("go")
	ck := checker{t: t}
	buf := make([]byte, 64)
	for {
		k, err := c.ReadContext(context.Background(), buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		if !ck.add(buf[:k]) {
			return
		}
	}
	pn, pcrc, _ := pyDone(t, py)
	if ck.n != n || pn != n || ck.crc != pcrc {
		t.Fatalf("Go got %d (crc %08x), python put %d (crc %08x), want %d", ck.n, ck.crc, pn, pcrc, n)
	}
}

// Go puts, Python gets.
func TestQueueGoToPython(t *testing.T) {
	q, name := newQueue(t)
	n := messages()
	py := startPy(t, "queue-consume", name)
	py.expect("ready")
	p, err := q.Producer()
	if err != nil {
		t.Fatal(err)
	}
	py.send("go")
	var crc uint32
	var buf []byte
	for i := range n {
		buf = message(buf, i)
		if err := p.Write(buf); err != nil {
			t.Fatal(err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, buf)
	}
	p.Close()
	pn, pcrc, _ := pyDone(t, py)
	if pn != n || pcrc != crc {
		t.Fatalf("python got %d (crc %08x), Go put %d (crc %08x)", pn, pcrc, n, crc)
	}
}

// Two Python and two Go producers, two Python and two Go consumers (one
// reading by ReadBatch), on one queue: every message is taken exactly once (count and a sum of
// hashes over the exact set), each producer's in its order.
func TestQueueMixedExactlyOnce(t *testing.T) {
	q, name := newQueue(t)
	const producers = 4
	total := messages() / 2
	per := total / producers
	var pys []*pyProc
	for _, id := range []int{0, 1} { // Python producers take ids 0 and 1 of 4
		p := startPy(t, "queue-produce", name, strconv.Itoa(id), strconv.Itoa(per), strconv.Itoa(producers))
		p.expect("ready")
		pys = append(pys, p)
	}
	var cons []*pyProc
	for range 2 {
		c := startPy(t, "queue-consume", name, strconv.Itoa(producers))
		c.expect("ready")
		cons = append(cons, c)
	}
	var gp []*queue.Producer
	for range 2 {
		p, err := q.Producer()
		if err != nil {
			t.Fatal(err)
		}
		gp = append(gp, p)
	}
	type got struct {
		n   int
		sum uint64
		err error
	}
	results := make(chan got, 2)
	for k := range 2 {
		c, err := q.Consumer()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer c.Close()
			var g got
			last := [producers]int64{-1, -1, -1, -1}
			take := func(msg []byte) error {
				i := binary.LittleEndian.Uint64(msg)
				if want := message(nil, int(i)); string(msg) != string(want) || int64(i) <= last[i%producers] {
					return fmt.Errorf("message %d out of order or wrong", i)
				}
				last[i%producers] = int64(i)
				g.n++
				g.sum += mix(i)
				return nil
			}
			buf := make([]byte, 64)
			for {
				var err error
				if k == 0 { // one Go consumer reads by ReadBatch: spans beside Python's single takes
					_, err = c.ReadBatch(context.Background(), 16, take)
				} else {
					var n int
					if n, err = c.ReadContext(context.Background(), buf); err == nil {
						err = take(buf[:n])
					}
				}
				if err != nil {
					if !errors.Is(err, io.EOF) {
						g.err = err
					}
					results <- g
					return
				}
			}
		}()
	}
	for _, p := range append(pys, cons...) {
		p.send("go")
	}
	var wg sync.WaitGroup
	for k, p := range gp {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer p.Close()
			var buf []byte
			for j := range per {
				buf = message(buf, 2+k+j*producers) // Go producers take ids 2 and 3
				if err := p.Write(buf); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, p := range pys {
		if n, _, _ := pyDone(t, p); n != per {
			t.Fatalf("a python producer put %d, want %d", n, per)
		}
	}
	n, sum := 0, uint64(0)
	for _, c := range cons {
		cn, _, csum := pyDone(t, c)
		n, sum = n+cn, sum+csum
	}
	for range 2 {
		g := <-results
		if g.err != nil {
			t.Fatal(g.err)
		}
		n, sum = n+g.n, sum+g.sum
	}
	want := uint64(0)
	for i := range per * producers {
		want += mix(uint64(i))
	}
	if n != per*producers || sum != want {
		t.Fatalf("consumers took %d messages (hash sum %x), want %d (%x)", n, sum, per*producers, want)
	}
}
