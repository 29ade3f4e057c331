package dict_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shmkit/shmkit/dict"
)

func newDict(t testing.TB, cfg dict.Config) *dict.Dict {
	t.Helper()
	d, err := dict.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func mustGet(t *testing.T, d *dict.Dict, key string) (string, bool) {
	t.Helper()
	v, ok, err := d.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v), ok
}

func TestOperations(t *testing.T) {
	d := newDict(t, dict.Config{Capacity: 1 << 20, MaxKey: 32, MaxValue: 128})
	k := []byte("k")
	if _, ok := mustGet(t, d, "k"); ok {
		t.Fatal("found in an empty dict")
	}
	if f, err := d.Set(k, []byte("v1"), 0); err != nil || f {
		t.Fatalf("Set: %v %v", f, err)
	}
	if v, ok := mustGet(t, d, "k"); !ok || v != "v1" {
		t.Fatalf("Get: %q %v", v, ok)
	}
	if err := d.Add(k, []byte("v2"), 0); !errors.Is(err, dict.ErrExists) {
		t.Fatalf("Add of a present key: %v", err)
	}
	if err := d.Replace([]byte("nope"), []byte("x"), 0); !errors.Is(err, dict.ErrNotFound) {
		t.Fatalf("Replace of an absent key: %v", err)
	}
	if err := d.Replace(k, []byte("v3"), 0); err != nil {
		t.Fatal(err)
	}
	if ok, _ := d.CompareAndSwap(k, []byte("wrong"), []byte("v4")); ok {
		t.Fatal("CompareAndSwap with the wrong old value swapped")
	}
	if ok, err := d.CompareAndSwap(k, []byte("v3"), []byte("v4")); !ok || err != nil {
		t.Fatalf("CompareAndSwap: %v %v", ok, err)
	}
	if v, _ := mustGet(t, d, "k"); v != "v4" {
		t.Fatalf("after CompareAndSwap: %q", v)
	}
	if err := d.Add([]byte("empty"), nil, 0); err != nil {
		t.Fatal(err)
	}
	if v, ok := mustGet(t, d, "empty"); !ok || v != "" {
		t.Fatalf("empty value: %q %v", v, ok)
	}
	for i := range 10 {
		if n, err := d.Incr([]byte("n"), 5); err != nil || n != int64(5*(i+1)) {
			t.Fatalf("Incr: %d %v", n, err)
		}
	}
	if _, err := d.Incr(k, 1); !errors.Is(err, dict.ErrNotInteger) {
		t.Fatalf("Incr of a 2-byte value: %v", err)
	}
	if n := d.Len(); n != 3 {
		t.Fatalf("Len %d, want 3", n)
	}
	seen := map[string]string{}
	for k, v := range d.All() {
		seen[string(k)] = string(v)
	}
	if len(seen) != 3 || seen["k"] != "v4" || seen["empty"] != "" {
		t.Fatalf("All: %q", seen)
	}
	if ok, err := d.Delete(k); !ok || err != nil {
		t.Fatalf("Delete: %v %v", ok, err)
	}
	if ok, _ := d.Delete(k); ok {
		t.Fatal("second Delete found it")
	}
	if err := d.Flush(); err != nil || d.Len() != 0 {
		t.Fatalf("Flush: %v, Len %d", err, d.Len())
	}
	if _, err := d.Set(make([]byte, 33), nil, 0); !errors.Is(err, dict.ErrTooLarge) {
		t.Fatalf("long key: %v", err)
	}
	if _, err := d.Set(k, make([]byte, 129), 0); !errors.Is(err, dict.ErrTooLarge) {
		t.Fatalf("long value: %v", err)
	}
	if _, err := d.Set(nil, nil, 0); err == nil {
		t.Fatal("empty key accepted")
	}
}

// TestLRU: a full dict evicts the least recently used (a read counts as
// a use), and Set says so; Add does not evict.
func TestLRU(t *testing.T) {
	stride := 48 + 8 + 8
	d := newDict(t, dict.Config{Capacity: 3 * stride, MaxKey: 8, MaxValue: 8})
	for _, k := range []string{"a", "b", "c"} {
		if f, err := d.Set([]byte(k), []byte(k), 0); err != nil || f {
			t.Fatalf("Set %s: %v %v", k, f, err)
		}
	}
	mustGet(t, d, "a") // a is now more recent than b
	f, err := d.Set([]byte("d"), []byte("d"), 0)
	if err != nil || !f {
		t.Fatalf("Set into a full dict: forcible %v, %v", f, err)
	}
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok := mustGet(t, d, k); ok != want {
			t.Errorf("%s present %v, want %v", k, ok, want)
		}
	}
	if err := d.Add([]byte("e"), nil, 0); !errors.Is(err, dict.ErrFull) {
		t.Fatalf("Add into a full dict: %v, want ErrFull", err)
	}
	if st := d.Stats(); st.Evictions != 1 || st.Entries != 3 {
		t.Fatalf("Stats %+v", st)
	}
}

// TestTTL: an expired entry is never returned, and its room is reused
// before anything is evicted.
func TestTTL(t *testing.T) {
	stride := 48 + 8 + 8
	d := newDict(t, dict.Config{Capacity: 2 * stride, MaxKey: 8, MaxValue: 8})
	d.Set([]byte("short"), []byte("1"), 30*time.Millisecond)
	d.Set([]byte("long"), []byte("2"), time.Hour)
	if _, ok := mustGet(t, d, "short"); !ok {
		t.Fatal("gone before its time")
	}
	time.Sleep(50 * time.Millisecond)
	if _, ok := mustGet(t, d, "short"); ok {
		t.Fatal("returned after it expired")
	}
	if err := d.Replace([]byte("short"), []byte("x"), 0); !errors.Is(err, dict.ErrNotFound) {
		t.Fatalf("Replace of an expired key: %v", err)
	}
	if err := d.Add([]byte("new"), []byte("3"), 0); err != nil { // takes the expired entry's room
		t.Fatalf("Add where an entry expired: %v", err)
	}
	if _, ok := mustGet(t, d, "long"); !ok {
		t.Fatal("a live entry was evicted while an expired one was there")
	}
	if st := d.Stats(); st.Expiries != 1 || st.Evictions != 0 {
		t.Fatalf("Stats %+v", st)
	}
}

// TestManyKeys fills a sharded dict past its capacity and checks every
// key still there holds its own value.
func TestManyKeys(t *testing.T) {
	d := newDict(t, dict.Config{Capacity: 4000 * 128, MaxKey: 16, MaxValue: 64})
	for i := range 10000 {
		k := fmt.Sprintf("key-%d", i)
		if _, err := d.Set([]byte(k), []byte("value-of-"+k), 0); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for k, v := range d.All() {
		if string(v) != "value-of-"+string(k) {
			t.Fatalf("%q holds %q", k, v)
		}
		n++
	}
	st := d.Stats()
	if n != st.Entries || n != d.Len() || n > st.Capacity || st.Evictions != uint64(10000-n) {
		t.Fatalf("%d entries iterated, Stats %+v", n, st)
	}
	t.Logf("%d of 10000 kept in %d shards", n, st.Shards)
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []dict.Config{
		{Capacity: 1000, MaxKey: 0, MaxValue: 8},
		{Capacity: 10, MaxKey: 8, MaxValue: 8},
		{Capacity: 1 << 20, MaxKey: 8, MaxValue: 8, Shards: 3},
		{Capacity: 1 << 20, MaxKey: 8, MaxValue: -1},
	} {
		if _, err := dict.New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	d := newDict(t, dict.Config{Capacity: 1 << 20, MaxKey: 16, MaxValue: 64})
	key, val, buf := []byte("0123456789abcdef"), make([]byte, 64), make([]byte, 0, 64)
	d.Set(key, val, 0)
	if n := testing.AllocsPerRun(1000, func() {
		d.Set(key, val, 0)
		buf, _, _ = d.AppendGet(buf[:0], key)
	}); n != 0 {
		t.Fatalf("%v allocations per Set and AppendGet", n)
	}
}

// TestConcurrent: goroutines writing and reading one shard at once see
// only whole values (64 copies of one byte); under -race this also checks
// the orderings.
func TestConcurrent(t *testing.T) {
	d := newDict(t, dict.Config{Capacity: 64 * 128, MaxKey: 16, MaxValue: 64, Shards: 1})
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 2 {
		go func() {
			val := make([]byte, 64)
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				for j := range val {
					val[j] = byte(i + w)
				}
				if _, err := d.Set([]byte(fmt.Sprint("k", i%8)), val, 0); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 2 {
		go func() {
			buf := make([]byte, 0, 64)
			for i := range 20000 {
				v, ok, err := d.AppendGet(buf[:0], []byte(fmt.Sprint("k", i%8)))
				if err != nil {
					errs <- err
					return
				}
				if ok && (len(v) != 64 || string(v) != string(repeat(v[0], 64))) {
					errs <- fmt.Errorf("torn: %x", v)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestHugeTTL: a TTL past what time can say means never, not expired.
func TestHugeTTL(t *testing.T) {
	d := newDict(t, dict.Config{Capacity: 1 << 16, MaxKey: 8, MaxValue: 8})
	d.Set([]byte("k"), []byte("v"), time.Duration(1<<63-1))
	if _, ok := mustGet(t, d, "k"); !ok {
		t.Fatal("an entry with the longest TTL expired at once")
	}
}
