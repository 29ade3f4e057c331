package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// inspectState runs inspect --json and returns the kind and state.
func inspectState(t *testing.T, name string) (string, map[string]any) {
	t.Helper()
	return decodeInspect(t, mustRun(t, "inspect", "--json", name))
}

// inspectStateProcess is inspectState in a process of its own: a fresh
// observer, which remembers nothing of the segment's processes (this one
// trusts a process it found alive for a few milliseconds: internal/live).
func inspectStateProcess(t *testing.T, name string) (string, map[string]any) {
	t.Helper()
	out, stderr, code := shmtoolProcess(t, nil, "inspect", "--json", name)
	if code != 0 {
		t.Fatalf("shmtool inspect --json %s: exit %d, stderr %q", name, code, stderr)
	}
	return decodeInspect(t, out)
}

func decodeInspect(t *testing.T, out string) (string, map[string]any) {
	t.Helper()
	var j segmentJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	return j.Kind, j.State
}

func TestCreateInspectKinds(t *testing.T) {
	for _, tt := range []struct {
		flags string
		kind  string
		state string // the state, as fmt prints the decoded map
	}{
		{"--kind mutex", "mutex", "map[locked:false owner_alive:false owner_pid:0 status:consistent waiters:0]"},
		{"--kind event", "event", "map[set:false waiters:0]"},
		{"--kind barrier --parties 3", "barrier", "map[arrived:0 broken:false generation:0 parties:3]"},
		{"--kind semaphore --value 2 --max 4", "semaphore", "map[holders:<nil> max:4 reclaimed:0 rollbacks:0 tracked:false value:2 waiters:0]"},
		{"--kind semaphore --value 2", "semaphore", "map[holders:<nil> max:<nil> reclaimed:0 rollbacks:0 tracked:false value:2 waiters:0]"},
		{"--kind semaphore --value 1 --tracked", "semaphore", "map[holders:[] max:<nil> reclaimed:0 rollbacks:0 tracked:true value:1 waiters:0]"},
	} {
		t.Run(tt.flags, func(t *testing.T) {
			name := testutil.Name(t)
			mustRun(t, append([]string{"create"}, append(strings.Fields(tt.flags), name)...)...)
			defer shm.Remove(name)
			kind, state := inspectState(t, name)
			if kind != tt.kind || fmt.Sprint(state) != tt.state {
				t.Fatalf("inspect: kind %s state %v, want %s %s", kind, state, tt.kind, tt.state)
			}
		})
	}
}

// inspect shows who holds a mutex, and that its owner died.
func TestInspectMutexOwner(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "mutex", name)
	defer shm.Remove(name)
	p := testutil.Start(t, "hold-mutex", name)
	p.Expect("locked")
	_, st := inspectStateProcess(t, name)
	if st["locked"] != true || st["owner_pid"] != float64(p.Pid()) || st["owner_alive"] != true || st["status"] != "consistent" {
		t.Fatalf("state with a live owner = %v, want locked by %d", st, p.Pid())
	}
	p.Kill()
	_, st = inspectStateProcess(t, name)
	if st["locked"] != true || st["owner_alive"] != false || st["status"] != "owner-dead" {
		t.Fatalf("state after the owner was killed = %v, want owner-dead", st)
	}
}

func TestCreateKindUsage(t *testing.T) {
	for _, args := range [][]string{
		{"create", "--kind", "barrier", "x"},
		{"create", "--kind", "mutex", "--size", "8", "x"},
		{"create", "--kind", "semaphore", "--value", "5", "--max", "2", "x"},
		{"create", "--kind", "queue", "x"},
		{"create", "--kind", "array", "--type", "int64", "x"},
		{"create", "--kind", "value", "--type", "float128", "x"},
		{"create", "--kind", "value", "--type", "int8", "--len", "3", "x"},
	} {
		if _, errOut, code := shmtool(t, args...); code != 2 {
			t.Errorf("shmtool %v: exit %d, stderr %q; want 2", args, code, errOut)
		}
	}
}

// inspect shows a ring's producer, fill and counters.
func TestInspectRing(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "ring", "--size", "64K", "--max-msg", "1000", name)
	defer shm.Remove(name)
	r, err := ringbuf.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 64 { // counters are published every 64 messages
		if err := p.Write(make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	kind, st := inspectState(t, name)
	produced := st["counters"].(map[string]any)["produced"].(map[string]any)
	if kind != "ring" || st["capacity"] != float64(65536) || st["max_message"] != float64(1000) ||
		st["producer_pid"] != float64(os.Getpid()) || st["producer_alive"] != true || st["consumer_pid"] != float64(0) ||
		st["used"] != float64(64*112) || produced["messages"] != float64(64) || produced["bytes"] != float64(6400) {
		t.Fatalf("inspect of a ring = %s %v", kind, st)
	}
	if _, _, code := shmtool(t, "create", "--kind", "ring", "--size", "3000", name+"x"); code != 2 {
		t.Fatalf("create ring of a bad size: exit %d, want 2", code)
	}
}

// watch shows the rate at which a ring's consumer reads, from the ring's
// own counters.
func TestWatchRing(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "ring", "--size", "64K", name)
	defer shm.Remove(name)
	r, err := ringbuf.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.Producer()
	c, _ := r.Consumer()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a steady flow while watch runs
		defer close(done)
		msg := make([]byte, 100)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if p.TryWrite(msg) == nil {
				c.TryNext()
			}
		}
	}()
	out := mustRun(t, "watch", "--json", "--interval", "200ms", "--count", "3", name)
	close(stop)
	<-done
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("watch printed %d lines, want 3:\n%s", len(lines), out)
	}
	var last tick
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil {
		t.Fatal(err)
	}
	if last.MsgsPerSec <= 0 || math.Abs(last.BytesPerSec-100*last.MsgsPerSec) > 1e-9*last.BytesPerSec || last.Producer != os.Getpid() {
		t.Fatalf("watch tick = %+v, want a positive rate of 100-byte messages from pid %d", last, os.Getpid())
	}
}

// tail prints messages as they are committed, without consuming them, or
// consuming them with --consume.
func TestTailRing(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "ring", "--size", "64K", name)
	defer shm.Remove(name)
	r, err := ringbuf.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.Producer()
	tail := testutil.Start(t, "shmtool", "tail", "--json", "--count", "3", name)
	stop := make(chan struct{})
	wrote := make(chan int)
	go func() { // write until tail has seen three
		n := 0
		for {
			select {
			case <-stop:
				wrote <- n
				return
			case <-time.After(time.Millisecond):
			}
			p.TryWrite([]byte(fmt.Sprintf("hello %d", n)))
			n++
		}
	}()
	var got []map[string]any
	for range 3 {
		var m map[string]any
		if err := json.Unmarshal([]byte(tail.ReadLine()), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	tail.Wait()
	close(stop)
	<-wrote
	var first int
	fmt.Sscanf(got[0]["text"].(string), "hello %d", &first)
	for i, m := range got {
		if m["seq"] != float64(i) || m["text"] != fmt.Sprintf("hello %d", first+i) {
			t.Fatalf("tail line %d = %v, want consecutive messages", i, m)
		}
	}
	if st := r.State(); st.ConsumerPos != 0 {
		t.Fatalf("tail consumed: consumer position %d", st.ConsumerPos)
	}
	out := mustRun(t, "tail", "--consume", "--count", "2", name)
	if !strings.HasPrefix(out, "0\t\"hello 0\"\n1\t\"hello 1\"\n") {
		t.Fatalf("tail --consume = %q", out)
	}
	p.Close()
}
