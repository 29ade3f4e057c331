package main

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

// create --kind queue sizes the queue in bytes; inspect lists its peers'
// pids; tail watches it without taking messages, or takes them with
// --consume; watch reads its counters.
func TestQueueKind(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "queue", "--size", "64K", "--slot", "100", name)
	defer shm.Remove(name)
	q, err := queue.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if q.Slots() != 512 || q.MaxMessage() != 100 { // 128-byte slots
		t.Fatalf("queue of %d slots of %d bytes, want 512 of 100", q.Slots(), q.MaxMessage())
	}
	p, _ := q.Producer()
	defer p.Close()
	c, _ := q.Consumer()
	defer c.Close()
	for _, m := range []string{"one", "two", "three"} {
		if err := p.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	kind, st := inspectState(t, name)
	pids := func(k string) []any { l, _ := st[k].([]any); return l }
	if kind != "queue" || st["capacity"] != float64(512) || st["used"] != float64(3) ||
		len(pids("producer_pid")) != 1 || pids("producer_pid")[0] != float64(os.Getpid()) || pids("consumer_alive")[0] != true {
		t.Fatalf("inspect of a queue = %s %v", kind, st)
	}
	if _, ok := st["counters"].(map[string]any)["skipped"]; !ok {
		t.Fatalf("inspect of a queue has no skipped counter: %v", st)
	}

	// tail follows new messages without taking them.
	tail := testutil.Start(t, "shmtool", "tail", "--count", "1", name)
	stop, done := make(chan struct{}), make(chan struct{})
	stopWriter := sync.OnceFunc(func() { close(stop); <-done })
	defer stopWriter() // before q.Close unmaps the queue, even if the test fails
	go func() {        // write until tail has seen one
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			p.TryWrite([]byte("four"))
		}
	}()
	line := tail.ReadLine()
	stopWriter()
	if line != "0\t\"four\"" {
		t.Fatalf("tail printed %q", line)
	}
	tail.Wait()
	if st := q.State(); st.Head != 0 {
		t.Fatalf("tail took messages: head %d", st.Head)
	}
	out := mustRun(t, "tail", "--consume", "--count", "2", name)
	if out != "0\t\"one\"\n1\t\"two\"\n" {
		t.Fatalf("tail --consume = %q", out)
	}
	line = strings.TrimSpace(mustRun(t, "watch", "--json", "--interval", "50ms", "--count", "1", name))
	var tk tick
	if err := json.Unmarshal([]byte(line), &tk); err != nil || tk.Peers != "1 producer/1 consumer" || tk.Used == 0 {
		t.Fatalf("watch of a queue = %q (%v)", line, err)
	}
	if _, _, code := shmtool(t, "create", "--kind", "queue", "--size", "100", name+"x"); code != 2 {
		t.Fatalf("create queue too small: exit %d, want 2", code)
	}
}

// create --kind stream makes a ring of kind stream that StreamWriter and
// StreamReader use.
func TestStreamKind(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--kind", "stream", "--size", "64K", name)
	defer shm.Remove(name)
	r, err := ringbuf.OpenStream(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := ringbuf.Open(name, nil); err == nil {
		t.Fatal("a stream opened as a message ring")
	}
	w, _ := r.Writer()
	w.Write([]byte("hello, stream"))
	w.Close()
	kind, st := inspectState(t, name)
	if kind != "stream" || st["capacity"] != float64(65536) || st["max_message"] != float64(16376) {
		t.Fatalf("inspect of a stream = %s %v", kind, st)
	}
	if out := mustRun(t, "tail", "--consume", "--count", "1", name); out != "0\t\"hello, stream\"\n" {
		t.Fatalf("tail --consume of a stream = %q", out)
	}
}
