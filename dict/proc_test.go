package dict_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	testutil.Child("incr", childIncr)
	testutil.Child("writer", childWriter)
	testutil.Child("reader", childReader)
}

func createDict(t *testing.T, cfg dict.Config) (*dict.Dict, string) {
	t.Helper()
	name := testutil.Name(t)
	d, err := dict.Create(name, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(); shm.Remove(name) })
	return d, name
}

// childIncr adds 1 to key args[1] args[2] times.
func childIncr(args []string) error {
	d, err := dict.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer d.Close()
	n, _ := strconv.Atoi(args[2])
	for range n {
		if _, err := d.Incr([]byte(args[1]), 1); err != nil {
			return err
		}
	}
	return nil
}

// childWriter sets keys k0..k(n-1) to 64 copies of one byte, that byte
// changing round by round, until it has written args[1] values (or a
// failpoint kills it).
func childWriter(args []string) error {
	d, err := dict.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer d.Close()
	n, _ := strconv.Atoi(args[1])
	val := make([]byte, 64)
	for i := range n {
		for j := range val {
			val[j] = byte(i)
		}
		if _, err := d.Set([]byte(fmt.Sprintf("k%d", i%16)), val, 0); err != nil {
			return err
		}
	}
	return nil
}

// childReader reads keys k0..k15 args[1] times and fails if a value is
// ever a mix (not 64 copies of one byte).
func childReader(args []string) error {
	d, err := dict.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer d.Close()
	n, _ := strconv.Atoi(args[1])
	buf := make([]byte, 0, 64)
	reads := 0
	for i := range n {
		v, ok, err := d.AppendGet(buf[:0], []byte(fmt.Sprintf("k%d", i%16)))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		reads++
		if len(v) != 64 || !bytes.Equal(v, bytes.Repeat(v[:1], 64)) {
			return fmt.Errorf("torn value: %x", v)
		}
	}
	testutil.Send("read %d", reads)
	return nil
}

// TestIncrExact: four processes incrementing one key, while two others
// write and read values that must never be torn.
func TestIncrExact(t *testing.T) {
	d, name := createDict(t, dict.Config{Capacity: 1 << 20, MaxKey: 16, MaxValue: 64})
	const procs, each = 4, 20000
	var children []*testutil.Proc
	for range procs {
		children = append(children, testutil.Start(t, "incr", name, "hits", strconv.Itoa(each)))
	}
	children = append(children, testutil.Start(t, "writer", name, "200000"))
	reader := testutil.Start(t, "reader", name, "400000")
	for _, c := range children {
		c.Wait()
	}
	line := reader.ReadLine()
	reader.Wait()
	t.Log(line)
	v, ok, err := d.Get([]byte("hits"))
	if err != nil || !ok {
		t.Fatalf("Get: %v %v", ok, err)
	}
	if n := int64(leUint64(v)); n != procs*each {
		t.Fatalf("hits = %d, want %d", n, procs*each)
	}
}

func leUint64(b []byte) uint64 {
	var n uint64
	for i := 7; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	return n
}

// TestWriterKilled: a writer killed at each step of Set, Delete, Incr
// and eviction leaves the dict usable: the next process repairs the
// shard, readers of it never hang, and every other entry is intact.
func TestWriterKilled(t *testing.T) {
	for _, tc := range []struct{ failpoint, op string }{
		{"dict/set/fill", "set-new"},
		{"dict/set/overwrite", "set"},
		{"dict/undo/saved", "set"},
		{"dict/incr/before", "incr"},
		{"dict/delete/before", "delete"},
		{"dict/evict/before", "evict"},
	} {
		t.Run(tc.failpoint+"/"+tc.op, func(t *testing.T) {
			stride := 48 + 16 + 64                                                                // strideFor(16, 64)
			d, name := createDict(t, dict.Config{Capacity: 8 * stride, MaxKey: 16, MaxValue: 64}) // one shard
			for i := range 6 {
				d.Set([]byte(fmt.Sprintf("keep%d", i)), []byte(fmt.Sprintf("value%d", i)), 0)
			}
			d.Set([]byte("victim"), []byte("old"), 0)
			d.Set([]byte("n"), make([]byte, 8), 0) // full: a new key evicts
			if tc.op != "evict" {
				d.Delete([]byte("keep5"))
			}
			p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=" + tc.failpoint + "=kill"}, "op", name, tc.op)
			if sig := p.Signal(); sig != syscall.SIGKILL {
				t.Fatalf("the child ended by %v, not at its failpoint: %s", sig, p.Stderr())
			}
			// A reader first: the shard's sequence is odd and its lock's owner dead.
			if _, _, err := d.Get([]byte("keep0")); err != nil {
				t.Fatalf("Get after the kill: %v", err)
			}
			if st := d.Stats(); st.Repairs != 1 {
				t.Fatalf("Stats after the repair: %+v", st)
			}
			for i := range 5 {
				k := fmt.Sprintf("keep%d", i)
				v, ok, err := d.Get([]byte(k))
				if tc.op == "evict" && !ok {
					continue // the eviction's victim, if it was one of these
				}
				if err != nil || !ok || string(v) != fmt.Sprintf("value%d", i) {
					t.Fatalf("%s after the repair: %q %v %v", k, v, ok, err)
				}
			}
			if tc.op == "set" { // undone: the old value, whole
				if v, ok, err := d.Get([]byte("victim")); err != nil || !ok || string(v) != "old" {
					t.Fatalf("the value a killed Set was overwriting: %q %v %v", v, ok, err)
				}
			}
			if tc.op == "incr" { // an 8-byte word: the old sum, never dropped
				if v, ok, err := d.Get([]byte("n")); err != nil || !ok || leUint64(v) != 0 {
					t.Fatalf("the counter after a kill in Incr: %x %v %v", v, ok, err)
				}
			}
			if _, err := d.Set([]byte("after"), []byte("ok"), 0); err != nil {
				t.Fatalf("Set after the repair: %v", err)
			}
			n := 0
			for range d.All() {
				n++
			}
			if n != d.Len() {
				t.Fatalf("All gives %d entries, Len %d", n, d.Len())
			}
		})
	}
}

func init() {
	testutil.Child("op", func(args []string) error {
		d, err := dict.Open(args[0], nil)
		if err != nil {
			return err
		}
		switch args[1] {
		case "set-new":
			_, err = d.Set([]byte("brand-new"), []byte("value"), 0)
		case "set":
			_, err = d.Set([]byte("victim"), []byte("new value"), 0)
		case "incr":
			_, err = d.Incr([]byte("n"), 1)
		case "delete":
			_, err = d.Delete([]byte("victim"))
		case "evict":
			_, err = d.Set([]byte("newcomer"), []byte("v"), 0)
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("%s returned without reaching its failpoint", args[1])
	})
}

// TestReadOnly: a dict opened read-only reads, and refuses writes with
// ErrReadOnly instead of faulting.
func TestReadOnly(t *testing.T) {
	d, name := createDict(t, dict.Config{Capacity: 1 << 16, MaxKey: 16, MaxValue: 64})
	d.Set([]byte("k"), []byte("v"), 0)
	ro, err := dict.Open(name, &shm.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if v, ok, err := ro.Get([]byte("k")); err != nil || !ok || string(v) != "v" {
		t.Fatalf("Get: %q %v %v", v, ok, err)
	}
	if _, err := ro.Set([]byte("k"), []byte("w"), 0); !errors.Is(err, dict.ErrReadOnly) {
		t.Fatalf("Set on a read-only dict: %v", err)
	}
	if err := ro.Flush(); !errors.Is(err, dict.ErrReadOnly) {
		t.Fatalf("Flush on a read-only dict: %v", err)
	}
}
