//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/gc"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func init() {
	// A process that holds a segment's file open and never maps it.
	testutil.Child("hold-fd", func(args []string) error {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		testutil.Send("holding")
		testutil.Recv()
		return nil
	})
}

// lsEntry is the row of ls --json for name.
func lsEntry(t *testing.T, name string) lsRow {
	t.Helper()
	var rows []lsRow
	if err := json.Unmarshal([]byte(mustRun(t, "ls", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("ls --json does not list %s", name)
	return lsRow{}
}

// gcEntry is what gc --dry-run says of name.
func gcEntry(t *testing.T, name string) gc.Entry {
	t.Helper()
	var rep gc.Report
	if err := json.Unmarshal([]byte(mustRun(t, "gc", "--json", "--dry-run")), &rep); err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Segments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("gc --dry-run does not list %s", name)
	return gc.Entry{}
}

// who, gc and ls's NATTCH read one scan of /proc, maps and descriptors
// both: a process that maps a segment and one that only holds it open
// are found by all three, and once they have gone, by none.
func TestWhoGCLsAgree(t *testing.T) {
	name := testutil.Name(t)
	mustRun(t, "create", "--size", "4K", name)
	defer shm.Remove(name)
	mapper := testutil.Start(t, "hold-segment", name)
	mapper.Expect("holding")
	holder := testutil.Start(t, "hold-fd", "/dev/shm/"+name)
	holder.Expect("holding")
	pids := []int{mapper.Pid(), holder.Pid()}
	slices.Sort(pids)

	var who whoJSON
	if err := json.Unmarshal([]byte(mustRun(t, "who", "--json", name)), &who); err != nil {
		t.Fatal(err)
	}
	byPID := map[int]bool{}
	for _, p := range who.Processes {
		byPID[p.PID] = true
		if p.Command == "" || p.UID == nil || *p.UID != uint64(os.Geteuid()) {
			t.Errorf("who --json: %+v, want its command and uid", p)
		}
		switch p.PID {
		case mapper.Pid():
			if !p.Mapped {
				t.Errorf("who --json: the mapper %+v is not mapped", p)
			}
		case holder.Pid():
			if p.Mapped || !p.Open {
				t.Errorf("who --json: the holder %+v, want open and not mapped", p)
			}
		}
	}
	if len(who.Processes) != 2 || !byPID[mapper.Pid()] || !byPID[holder.Pid()] || who.Name != name || who.Path != "/dev/shm/"+name {
		t.Fatalf("who --json = %+v, want the mapper %d and the holder %d", who, mapper.Pid(), holder.Pid())
	}

	out, _, code := shmtool(t, "who", name)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "PID USER COMMAND USE" {
		t.Fatalf("who %s: exit %d\n%s\nwant a header and two processes", name, code, out)
	}
	for _, tt := range []struct {
		pid int
		use string
	}{{mapper.Pid(), "mapped"}, {holder.Pid(), "open"}} {
		found := false
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			found = found || f[0] == fmt.Sprint(tt.pid) && strings.Contains(f[len(f)-1], tt.use) && (tt.use == "mapped" || f[len(f)-1] == "open")
		}
		if !found {
			t.Errorf("who %s:\n%s\nwant pid %d, %s", name, out, tt.pid, tt.use)
		}
	}

	inUse := fmt.Sprintf("in use by pid %d,%d", pids[0], pids[1])
	if e := gcEntry(t, name); e.Action != gc.Kept || e.Why != inUse {
		t.Errorf("gc --dry-run: %+v, want kept, %s", e, inUse)
	}
	if r := lsEntry(t, name); r.NAttch != 2 || !slices.Equal(r.Attached, pids) {
		t.Errorf("ls --json: nattch %d, attached_pids %v; want 2, %v", r.NAttch, r.Attached, pids)
	}
	table := mustRun(t, "ls", "-o", "name,nattch,pids")
	if !strings.Contains(strings.Join(strings.Fields(table), " ")+" ", fmt.Sprintf(" %s 2 %d,%d ", name, pids[0], pids[1])) {
		t.Errorf("ls -o name,nattch,pids lacks %s with NATTCH 2 and pids %v:\n%s", name, pids, table)
	}

	holder.Send("done")
	holder.Wait()
	mapper.Send("done")
	mapper.Wait()
	out, errOut, code := shmtool(t, "who", name)
	if code != 0 || out != "no process maps "+name+" or holds it open\n" || strings.Contains(errOut, "no process maps") {
		t.Errorf("who %s with nobody: exit %d, stdout %q, stderr %q; want the message and no table", name, code, out, errOut)
	}
	if json.Unmarshal([]byte(mustRun(t, "who", "--json", name)), &who) != nil || who.Processes == nil || len(who.Processes) != 0 {
		t.Errorf("who --json with nobody = %+v, want processes []", who)
	}
	if e := gcEntry(t, name); e.Action != gc.WouldRemove {
		t.Errorf("gc --dry-run with nobody: %+v, want would remove", e)
	}
	if r := lsEntry(t, name); r.NAttch != 0 || r.Attached == nil || len(r.Attached) != 0 {
		t.Errorf("ls --json with nobody: nattch %d, attached_pids %#v; want 0, []", r.NAttch, r.Attached)
	}
}
