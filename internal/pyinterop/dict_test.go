//go:build linux

package pyinterop_test

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func newDict(t *testing.T, cfg dict.Config) (*dict.Dict, string) {
	t.Helper()
	name := testutil.Name(t)
	d, err := dict.Create(name, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(); shm.Remove(name) })
	return d, name
}

func key(i int) []byte { return []byte("k" + strconv.Itoa(i)) }

// Python sets n keys that Go reads, Go sets n more that Python reads,
// and both Incr one counter at once: every value whole, the sum exact.
func TestDictBothWays(t *testing.T) {
	n := items() / 2
	stride := 48 + 16 + 64
	d, name := newDict(t, dict.Config{Capacity: 3 * n * stride, MaxKey: 16, MaxValue: 64})

	py := startPy(t, "dict-set", name, "0", strconv.Itoa(n))
	py.expect("ready")
	py.send("go")
	_, pcrc, _ := pyDone(t, py)
	var crc uint32
	for i := range n {
		v, ok, err := d.Get(key(i))
		if err != nil || !ok || string(v) != string(message(nil, i)) {
			t.Fatalf("Get(k%d) = %x %v %v, want message %d", i, v, ok, err, i)
		}
		crc = crc32.Update(crc, crc32.IEEETable, v)
	}
	if crc != pcrc {
		t.Fatalf("Go read crc %08x, python set %08x", crc, pcrc)
	}

	crc = 0
	var buf []byte
	for i := n; i < 2*n; i++ {
		buf = message(buf, i)
		if forced, err := d.Set(key(i), buf, 0); err != nil || forced {
			t.Fatalf("Set(k%d) = %v, %v", i, forced, err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, buf)
	}
	py = startPy(t, "dict-check", name, strconv.Itoa(n), strconv.Itoa(n))
	py.expect("ready")
	py.send("go")
	if _, pcrc, plen := pyDone(t, py); pcrc != crc || plen != uint64(2*n) {
		t.Fatalf("python read crc %08x and len %d, Go set %08x and %d", pcrc, plen, crc, 2*n)
	}

	incrs := n / 2
	py = startPy(t, "dict-incr", name, strconv.Itoa(incrs))
	py.expect("ready")
	py.send("go")
	for range incrs {
		if _, err := d.Incr([]byte("counter"), 1); err != nil {
			t.Fatal(err)
		}
	}
	pyDone(t, py)
	if got, err := d.Incr([]byte("counter"), 0); err != nil || got != int64(2*incrs) {
		t.Fatalf("counter = %d, %v after %d Incr from each side", got, err, incrs)
	}
}

// A Python writer SIGKILLed mid-overwrite, holding the shard's lock: Go's
// next Get repairs the shard (the old value back, whole), and the rest is
// intact. Then a Go writer killed at each step of a Set, and Python's Get
// repairs the shard the same way.
func TestDictWriterKilled(t *testing.T) {
	stride := 48 + 16 + 64
	fill := func(d *dict.Dict) {
		for i := range 6 {
			d.Set([]byte(fmt.Sprintf("keep%d", i)), []byte(fmt.Sprintf("value%d", i)), 0)
		}
		d.Set([]byte("victim"), []byte("old value"), 0)
	}
	check := func(t *testing.T, d *dict.Dict) {
		t.Helper()
		for i := range 6 {
			if v, ok, err := d.Get([]byte(fmt.Sprintf("keep%d", i))); err != nil || !ok || string(v) != fmt.Sprintf("value%d", i) {
				t.Fatalf("keep%d after the repair: %q %v %v", i, v, ok, err)
			}
		}
	}
	t.Run("python", func(t *testing.T) {
		d, name := newDict(t, dict.Config{Capacity: 16 * stride, MaxKey: 16, MaxValue: 64, Shards: 1})
		fill(d)
		py := startPy(t, "dict-die-writing", name, "victim")
		py.expect("at")
		py.kill()
		v, ok, err := d.Get([]byte("victim"))
		if err != nil || !ok || string(v) != "old value" {
			t.Fatalf("victim after the Python writer's death: %q %v %v", v, ok, err)
		}
		if st := d.Stats(); st.Repairs != 1 {
			t.Fatalf("Stats().Repairs = %d, want 1", st.Repairs)
		}
		check(t, d)
	})
	for _, fp := range []string{"dict/set/overwrite", "dict/undo/saved"} {
		t.Run("go/"+fp, func(t *testing.T) {
			d, name := newDict(t, dict.Config{Capacity: 16 * stride, MaxKey: 16, MaxValue: 64, Shards: 1})
			fill(d)
			p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=" + fp + "=kill"}, "dict-overwrite", name, "victim")
			if sig := p.Signal(); sig != syscall.SIGKILL {
				t.Fatalf("the Go writer ended by %v, not at its failpoint: %s", sig, p.Stderr())
			}
			py := startPy(t, "dict-read-after-death", name, "victim", "old value")
			if f := py.expect("value"); len(f) != 4 || f[3] != "1" {
				t.Fatalf("python: %v, want value \"old value\" repairs 1", f)
			}
			py.wait()
			check(t, d)
		})
	}
}

func init() {
	testutil.Child("dict-overwrite", func(args []string) error {
		d, err := dict.Open(args[0], nil)
		if err != nil {
			return err
		}
		if _, err := d.Set([]byte(args[1]), []byte("a new value, longer"), 0); err != nil {
			return err
		}
		return fmt.Errorf("Set returned without reaching its failpoint")
	})
}
