package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/array"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
	"github.com/shmkit/shmkit/value"
)

// normalize blanks what differs between runs: names, pids, times.
func normalize(out, name string) string {
	out = strings.ReplaceAll(out, name, "NAME")
	out = regexp.MustCompile(`pid \d+`).ReplaceAllString(out, "pid PID")
	out = regexp.MustCompile(`(producer_pid:\s+)\d+`).ReplaceAllString(out, "${1}PID")
	out = regexp.MustCompile(`(created:\s+)\S+`).ReplaceAllString(out, "${1}TIME")
	out = regexp.MustCompile(`owner uid \d+`).ReplaceAllString(out, "owner uid UID")
	return out
}

// inspect prints nested state as indented, aligned text (never Go's
// map[...] syntax), a value's value, and an array's length and first
// elements.
func TestInspectText(t *testing.T) {
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 4096}, &shm.Options{RemoveOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, _ := r.Producer()
	for range 64 { // the counters publish every 64 messages
		p.Write([]byte("0123456789"))
	}
	out, errOut, code := shmtool(t, "inspect", name)
	if code != 0 {
		t.Fatal(errOut)
	}
	p.Close()
	want := `name:     NAME
path:     /dev/shm/NAME
kind:     ring (version 2)
size:     12288 bytes (payload 8192 at offset 4096)
mode:     0600, owner uid UID
layout:   1
creator:  pid PID (alive)
created:  TIME
state:
  capacity:         4096
  consumer_alive:   false
  consumer_parked:  false
  consumer_pid:     0
  consumer_pos:     0
  counters:
    consumed:
      bytes:     0
      messages:  0
      waits:     0
      wakeups:   0
    produced:
      bytes:     640
      messages:  64
      waits:     0
      wakeups:   0
  max_message:      1016
  producer_alive:   true
  producer_parked:  false
  producer_pid:     PID
  producer_pos:     1536
  used:             1536
`
	if got := normalize(out, name); got != want {
		t.Fatalf("inspect of a ring:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(out, "map[") {
		t.Fatal("Go map syntax in inspect's text")
	}

	vname := testutil.Name(t)
	v, err := value.Create(vname, 2.5, &shm.Options{RemoveOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	out, _, _ = shmtool(t, "inspect", vname)
	if !regexp.MustCompile(`(?m)^value:\s+2\.5$`).MatchString(out) || strings.Contains(out, "bytes:") {
		t.Fatalf("inspect of a value:\n%s", out)
	}

	aname := testutil.Name(t)
	a, err := array.Create[int16](aname, 20, &shm.Options{RemoveOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Slice()[1] = -7
	out, _, _ = shmtool(t, "inspect", aname)
	if !strings.Contains(out, "length:    20\n") || !strings.Contains(out, "first:     0, -7, 0, 0, 0, 0, 0, 0, ... (12 more)\n") {
		t.Fatalf("inspect of an array:\n%s", out)
	}
}
