package dict_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

// BenchmarkCompare runs one workload (16-byte keys, 64-byte values, 1,000
// keys) on a dict, on Redis (Debian's redis-server, started here on a
// Unix socket, reached with go-redis) and on an in-process sync.Map (the
// ceiling), with 1 client process and with 2 (this one and a child doing
// the same). It reports ops/s of this process; with 2 clients, child-ops/s
// is the other's. get-latency reports p50-ns and p99-ns.
func BenchmarkCompare(b *testing.B) {
	for _, backend := range []string{"dict", "redis", "syncmap"} {
		b.Run(backend, func(b *testing.B) {
			addr := setupBackend(b, backend)
			for _, op := range []string{"get", "set", "incr", "get-latency"} {
				for _, procs := range []int{1, 2} {
					if procs == 2 && (backend == "syncmap" || op == "get-latency") {
						continue // sync.Map is one process's; latency is measured alone
					}
					b.Run(fmt.Sprintf("%s/procs=%d", op, procs), func(b *testing.B) { benchOp(b, backend, addr, op, procs) })
				}
			}
		})
	}
}

const compareKeys = 1000

// compareKeyList is the keys, made once: a benchmark that formatted a
// key per op would measure fmt.
var compareKeyList = func() [][]byte {
	keys := make([][]byte, compareKeys)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key-%012d", i))
	}
	return keys
}()

func compareKey(i int) []byte { return compareKeyList[i%compareKeys] }

// store is one backend, as a client sees it.
type store interface {
	get(key, buf []byte) ([]byte, error)
	set(key, val []byte) error
	incr(key []byte) error
	close()
}

type dictStore struct{ d *dict.Dict }

func (s dictStore) get(key, buf []byte) ([]byte, error) {
	v, _, err := s.d.AppendGet(buf[:0], key)
	return v, err
}
func (s dictStore) set(key, val []byte) error { _, err := s.d.Set(key, val, 0); return err }
func (s dictStore) incr(key []byte) error     { _, err := s.d.Incr(key, 1); return err }
func (s dictStore) close()                    { s.d.Close() }

type redisStore struct{ c *redis.Client }

func (s redisStore) get(key, buf []byte) ([]byte, error) {
	v, err := s.c.Get(context.Background(), string(key)).Bytes()
	if err == redis.Nil {
		err = nil
	}
	return append(buf[:0], v...), err
}
func (s redisStore) set(key, val []byte) error {
	return s.c.Set(context.Background(), string(key), val, 0).Err()
}
func (s redisStore) incr(key []byte) error { return s.c.Incr(context.Background(), string(key)).Err() }
func (s redisStore) close()                { s.c.Close() }

type syncMapStore struct{ m *sync.Map }

func (s syncMapStore) get(key, buf []byte) ([]byte, error) {
	v, _ := s.m.Load(string(key))
	b, _ := v.([]byte)
	return append(buf[:0], b...), nil
}
func (s syncMapStore) set(key, val []byte) error {
	s.m.Store(string(key), append([]byte(nil), val...))
	return nil
}

var syncMapMu sync.Mutex

func (s syncMapStore) incr(key []byte) error { // a mutex, as a sync.Map has no increment
	syncMapMu.Lock()
	v, _ := s.m.Load(string(key))
	n, _ := v.(int64)
	s.m.Store(string(key), n+1)
	syncMapMu.Unlock()
	return nil
}
func (s syncMapStore) close() {}

var theSyncMap sync.Map

// setupBackend starts or makes the backend and fills it with the keys;
// it returns what a client needs to reach it.
func setupBackend(b *testing.B, backend string) string {
	var s store
	var addr string
	switch backend {
	case "dict":
		addr = testutil.Name(b)
		d, err := dict.Create(addr, dict.Config{Capacity: 4 * compareKeys * 128, MaxKey: 16, MaxValue: 64}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close(); shm.Remove(addr) })
		s = dictStore{d}
	case "redis":
		addr = startRedis(b)
		s = openStore(b, backend, addr)
		defer s.close()
	default:
		s = syncMapStore{&theSyncMap}
	}
	val := make([]byte, 64)
	for i := range compareKeys {
		if err := s.set(compareKey(i), val); err != nil {
			b.Fatal(err)
		}
	}
	return addr
}

func openStore(tb testing.TB, backend, addr string) store {
	switch backend {
	case "dict":
		d, err := dict.Open(addr, nil)
		if err != nil {
			tb.Fatal(err)
		}
		return dictStore{d}
	case "redis":
		return redisStore{redis.NewClient(&redis.Options{Network: "unix", Addr: addr, PoolSize: 1})}
	}
	return syncMapStore{&theSyncMap}
}

// startRedis starts redis-server on a Unix socket in a directory of its
// own, without persistence, and stops it when b ends.
func startRedis(b *testing.B) string {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		b.Skip("redis-server is not installed (Debian: apt-get install redis-server): no Redis rows")
	}
	dir, err := os.MkdirTemp("", "redis") // short: a socket path has room for 107 bytes
	if err != nil {
		b.Fatal(err)
	}
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(path, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if time.Now().After(deadline) {
			b.Fatal("redis-server did not open its socket in 10s")
		}
	}
}

var counterKey = []byte("counter")

// runOp does op once with key i.
func runOp(s store, op string, i int, val, buf []byte) error {
	switch op {
	case "set":
		return s.set(compareKey(i), val)
	case "incr":
		return s.incr(counterKey)
	}
	_, err := s.get(compareKey(i), buf)
	return err
}

func init() {
	// A second client: it runs op until the parent says stop, then
	// reports its rate.
	testutil.Child("compare-client", func(args []string) error {
		s := openStore(nil, args[0], args[1])
		defer s.close()
		stop := make(chan struct{})
		go func() { testutil.Recv(); close(stop) }()
		val, buf := make([]byte, 64), make([]byte, 0, 64)
		testutil.Send("ready")
		start, n := time.Now(), 0
		for ; ; n++ {
			if n%256 == 0 {
				select {
				case <-stop:
					testutil.Send("%f", float64(n)/time.Since(start).Seconds())
					return nil
				default:
				}
			}
			if err := runOp(s, args[2], n*7919, val, buf); err != nil {
				return err
			}
		}
	})
}

func benchOp(b *testing.B, backend, addr, op string, procs int) {
	s := openStore(b, backend, addr)
	defer s.close()
	var child *testutil.Proc
	if procs == 2 {
		child = testutil.Start(b, "compare-client", backend, addr, op)
		child.Expect("ready")
	}
	val, buf := make([]byte, 64), make([]byte, 0, 64)
	var lat []time.Duration
	if op == "get-latency" {
		lat = make([]time.Duration, 0, 1<<16)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var t0 time.Time
		if lat != nil {
			t0 = time.Now()
		}
		if err := runOp(s, op, i*7919, val, buf); err != nil {
			b.Fatal(err)
		}
		if lat != nil && len(lat) < cap(lat) {
			lat = append(lat, time.Since(t0))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if child != nil {
		child.Send("stop")
		rate, _ := strconv.ParseFloat(child.ReadLine(), 64)
		child.Wait()
		b.ReportMetric(rate, "child-ops/s")
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	}
}
