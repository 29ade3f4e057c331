package shm_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func fsMode(m uint64) fs.FileMode { return fs.FileMode(m) }

// create makes a segment for the test and removes it at the end.
func create(t *testing.T, name string, size int, opts *shm.Options) *shm.Segment {
	t.Helper()
	seg, err := shm.Create(name, size, opts)
	if err != nil {
		t.Fatalf("Create(%q, %d) = %v", name, size, err)
	}
	t.Cleanup(func() {
		seg.Close()
		shm.Remove(name)
	})
	return seg
}

func TestCrossProcessReadWrite(t *testing.T) {
	name := testutil.Name(t)
	seg := create(t, name, 1<<20, nil)
	want := fill(seg.Payload(), 1)

	p := testutil.Start(t, "check-and-reply", name)
	p.Expect("digest " + want)
	line := p.ReadLine()
	p.Wait()
	if got := "wrote " + digest(seg.Payload()); got != line {
		t.Fatalf("payload after child wrote: %s, child says %s", got, line)
	}
}

func TestOpenOrCreateRace(t *testing.T) {
	const procs = 8
	name := testutil.Name(t)
	defer shm.Remove(name)
	var ps []*testutil.Proc
	for range procs {
		p := testutil.Start(t, "open-or-create", name, "65536")
		p.Expect("ready")
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.Send("go")
	}
	created := 0
	var first string
	for i, p := range ps {
		line := p.ReadLine()
		p.Wait()
		c, rest, _ := strings.Cut(line, " ")
		if c == "created=true" {
			created++
		}
		if i == 0 {
			first = rest
		} else if rest != first {
			t.Errorf("process %d saw header %q, process 0 saw %q", i, rest, first)
		}
	}
	if created != 1 {
		t.Fatalf("%d processes created the segment, want exactly 1", created)
	}
	if _, err := shm.Stat(name); err != nil {
		t.Fatalf("Stat after race: %v", err)
	}
}

// A creator killed at any step of initialization never leaves a segment
// that Open mistakes for ready: before the name is linked nothing is
// visible; after, Open reports not ready and OpenOrCreate recovers it.
func TestCreatorKilledMidInit(t *testing.T) {
	for _, tt := range []struct {
		point    string
		openErr  error
		leftover bool
	}{
		{"shm/create/sized", shm.ErrNotExist, false},
		{"shm/create/built", shm.ErrNotExist, false},
		{"shm/create/linked", shm.ErrNotReady, true},
	} {
		t.Run(strings.ReplaceAll(tt.point, "/", "-"), func(t *testing.T) {
			name := testutil.Name(t)
			defer shm.Remove(name)
			p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=" + tt.point + "=kill"}, "create", name, "8192")
			if sig := p.Signal(); sig != syscall.SIGKILL {
				t.Fatalf("child ended by signal %v, want SIGKILL; stderr: %s", sig, p.Stderr())
			}
			if _, err := shm.Open(name, nil); !errors.Is(err, tt.openErr) {
				t.Fatalf("Open after creator died = %v, want %v", err, tt.openErr)
			}
			if list := listed(t, name); list != tt.leftover {
				t.Fatalf("List shows %s: %v, want %v", name, list, tt.leftover)
			}
			seg, created, err := shm.OpenOrCreate(name, 8192, nil)
			if err != nil || !created {
				t.Fatalf("OpenOrCreate = created %v, %v; want a new segment", created, err)
			}
			defer seg.Close()
			if seg.Header().CreatorPID != os.Getpid() || len(seg.Payload()) != 8192 {
				t.Fatalf("recovered header = %+v, want creator %d, 8192 bytes", seg.Header(), os.Getpid())
			}
			again, err := shm.Open(name, nil)
			if err != nil {
				t.Fatalf("Open after recovery = %v", err)
			}
			again.Close()
		})
	}
}

// listed reports whether List includes name.
func listed(t *testing.T, name string) bool {
	t.Helper()
	list, err := shm.List("")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == name {
			return true
		}
	}
	return false
}

// OpenOrCreate never replaces what is not a dead creator's leftover: a
// foreign zero-filled segment (as Python's SharedMemory makes) or a shmkit
// header that is corrupt.
func TestOpenOrCreateLeavesForeignAndCorrupt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content func() []byte
		want    error
	}{
		{"zero-filled foreign", func() []byte { return make([]byte, 8192) }, shm.ErrBadMagic},
		{"empty foreign", func() []byte { return nil }, shm.ErrBadMagic},
		{"unpublished with bad checksum", func() []byte {
			b := unpublished(t)
			b[0x40] ^= 1
			return b
		}, shm.ErrCorrupt},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := testutil.Name(t)
			defer shm.Remove(name)
			path, _ := shm.Path(name)
			want := tt.content()
			if err := os.WriteFile(path, want, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := shm.OpenOrCreate(name, 4096, nil); !errors.Is(err, tt.want) {
				t.Fatalf("OpenOrCreate = %v, want %v", err, tt.want)
			}
			if got, _ := os.ReadFile(path); string(got) != string(want) {
				t.Fatal("OpenOrCreate changed a file that was not its to recover")
			}
		})
	}
}

// unpublished returns the bytes of a valid segment whose ready word is 0.
func unpublished(t *testing.T) []byte {
	t.Helper()
	name := testutil.Name(t)
	seg := create(t, name, 4096, nil)
	seg.Close()
	path, _ := shm.Path(name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[0xFC], b[0xFD], b[0xFE], b[0xFF] = 0, 0, 0, 0
	return b
}

// A live creator that holds the init lock is waited for, never overtaken.
func TestOpenWaitsForLiveCreator(t *testing.T) {
	name := testutil.Name(t)
	defer shm.Remove(name)
	p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=shm/create/linked=stop"}, "create", name, "4096")
	// The child stops itself holding the init lock; wait until it has.
	p.WaitStopped()
	_, err := shm.Open(name, &shm.Options{Timeout: 50e6})
	if !errors.Is(err, shm.ErrNotReady) {
		t.Fatalf("Open while creator is stopped = %v, want ErrNotReady", err)
	}
	if _, _, err := shm.OpenOrCreate(name, 4096, &shm.Options{Timeout: 50e6}); !errors.Is(err, shm.ErrNotReady) {
		t.Fatalf("OpenOrCreate while creator is stopped = %v, want ErrNotReady", err)
	}
	syscall.Kill(p.Pid(), syscall.SIGCONT)
	p.Wait()
	seg, err := shm.Open(name, nil)
	if err != nil {
		t.Fatalf("Open after creator finished = %v", err)
	}
	if seg.Header().CreatorPID != p.Pid() {
		t.Errorf("creator pid = %d, want the child %d", seg.Header().CreatorPID, p.Pid())
	}
	seg.Close()
}

func TestCreateMode(t *testing.T) {
	for _, tt := range []struct {
		mode, want fs.FileMode
	}{{0, 0o600}, {0o640, 0o640}} {
		t.Run(tt.want.String(), func(t *testing.T) {
			name := testutil.Name(t)
			defer shm.Remove(name)
			p := testutil.Start(t, "create-umask0", name, fmt.Sprintf("%o", tt.mode))
			p.Expect("created")
			p.Wait()
			fi, err := os.Stat("/dev/shm/" + name)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tt.want {
				t.Fatalf("mode under umask 000 = %04o, want %04o", got, tt.want)
			}
		})
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	name := testutil.Name(t)
	elem := shm.TypeDesc{Name: "main.Point", Size: 16, Align: 8, Count: 4, Fingerprint: 0xfeed}
	seg := create(t, name, 64, &shm.Options{Kind: "array", KindVersion: 3, Elem: elem})
	seg2, err := shm.Open(name, &shm.Options{Kind: "array", KindVersion: 3, Elem: shm.TypeDesc{Name: "main.Point", Size: 16, Align: 8, Fingerprint: 0xfeed}})
	if err != nil {
		t.Fatal(err)
	}
	defer seg2.Close()
	if got, want := seg2.Header(), seg.Header(); !got.CreatedAt.Equal(want.CreatedAt) || got.Elem != want.Elem || got.Kind != "array" || got.KindVersion != 3 || got.CreatorPID != os.Getpid() || got.BootID != want.BootID {
		t.Fatalf("Open header = %+v, want %+v", got, want)
	}
	if !seg2.Header().CreatorAlive() {
		t.Error("CreatorAlive() = false for this process")
	}
	info, err := shm.Stat(name)
	if err != nil || info.Mode != 0o600 || info.Size != shm.HeaderSize+64 || info.Header.Kind != "array" {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
	list, err := shm.List("")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range list {
		found = found || (e.Name == name && e.Err == nil && e.Header.Kind == "array")
	}
	if !found {
		t.Fatalf("List() does not include %s", name)
	}
}

func TestOpenExpectations(t *testing.T) {
	name := testutil.Name(t)
	create(t, name, 64, &shm.Options{Kind: "array", KindVersion: 1, Elem: shm.TypeDesc{Name: "int64", Size: 8, Align: 8, Count: 8, Fingerprint: 1}})
	tests := []struct {
		name string
		opts shm.Options
		want error
	}{
		{"kind", shm.Options{Kind: "ring"}, shm.ErrIncompatible},
		{"kind version", shm.Options{Kind: "array", KindVersion: 2}, shm.ErrIncompatible},
		{"type", shm.Options{Elem: shm.TypeDesc{Name: "float64", Size: 8, Align: 8, Fingerprint: 2}}, shm.ErrTypeMismatch},
		{"count", shm.Options{Elem: shm.TypeDesc{Name: "int64", Size: 8, Align: 8, Count: 9, Fingerprint: 1}}, shm.ErrTypeMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := shm.Open(name, &tt.opts)
			if !errors.Is(err, tt.want) {
				seg.Close()
				t.Fatalf("Open(%+v) = %v, want %v", tt.opts, err, tt.want)
			}
		})
	}
}

func TestReadOnlyAndOptions(t *testing.T) {
	name := testutil.Name(t)
	seg := create(t, name, 1<<16, &shm.Options{Prefault: true, Lock: true})
	want := fill(seg.Payload(), 5)
	ro, err := shm.Open(name, &shm.Options{ReadOnly: true, Prefault: true})
	if err != nil {
		t.Fatal(err)
	}
	if !ro.ReadOnly() || digest(ro.Payload()) != want {
		t.Fatalf("read-only open: ReadOnly=%v digest=%s, want true %s", ro.ReadOnly(), digest(ro.Payload()), want)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ro.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
}

func TestOpenOrCreateSizeMismatch(t *testing.T) {
	name := testutil.Name(t)
	create(t, name, 64, nil)
	if _, _, err := shm.OpenOrCreate(name, 128, nil); !errors.Is(err, shm.ErrIncompatible) {
		t.Fatalf("OpenOrCreate with another size = %v, want ErrIncompatible", err)
	}
	seg, created, err := shm.OpenOrCreate(name, 64, nil)
	if err != nil || created {
		t.Fatalf("OpenOrCreate of existing = %v, %v; want opened", created, err)
	}
	seg.Close()
}

func TestRemove(t *testing.T) {
	name := testutil.Name(t)
	seg, err := shm.Create(name, 64, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	if err := shm.Remove(name); err != nil {
		t.Fatal(err)
	}
	if err := shm.Remove(name); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("second Remove = %v, want ErrNotExist", err)
	}
	seg.Payload()[0] = 1 // the mapping outlives the name
	dir := t.TempDir()
	if err := shm.Remove(dir + "/"); !errors.Is(err, shm.ErrInvalidName) {
		t.Fatalf("Remove(dir/) = %v, want ErrInvalidName", err)
	}
	if err := shm.Remove(dir); !errors.Is(err, shm.ErrNotRegular) {
		t.Fatalf("Remove(dir) = %v, want ErrNotRegular", err)
	}
}

func TestFileBacked(t *testing.T) {
	path := t.TempDir() + "/seg.shm"
	seg, err := shm.Create(path, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	fill(seg.Payload(), 3)
	seg.Close()
	seg, err = shm.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	if seg.Payload()[0] != 3 || seg.Path() != path {
		t.Fatalf("reopened file-backed segment: first byte %d path %s", seg.Payload()[0], seg.Path())
	}
	list, err := shm.List(t.TempDir())
	if err != nil || len(list) != 0 {
		t.Fatalf("List(empty dir) = %v, %v", list, err)
	}
}

// A segment's creator is dead once it has exited, even when a live process
// has its pid: the header records the start time too.
func TestCreatorPIDReused(t *testing.T) {
	name := testutil.Name(t)
	defer shm.Remove(name)
	p := testutil.Start(t, "create", name, "4096")
	p.Wait()
	q, _ := testutil.ReusePID(t, p.Pid())
	seg, err := shm.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	if h := seg.Header(); h.CreatorPID != q.Pid() || h.CreatorAlive() {
		t.Fatalf("header %+v: creator alive = %v with its pid %d reused, want false", h, h.CreatorAlive(), q.Pid())
	}
}

// Retire lets the file go at once and keeps the range valid: what is
// written after goes nowhere, what is read is zero, and Close releases it.
func TestRetire(t *testing.T) {
	name := testutil.Name(t)
	seg := create(t, name, 4096, nil)
	copy(seg.Payload(), "shared")
	if err := seg.Retire(); err != nil {
		t.Fatal(err)
	}
	b := seg.Payload()
	if b[0] != 0 {
		t.Errorf("payload after Retire starts %q, want zeros", b[:6])
	}
	copy(b, "private")
	if err := seg.Check(); err != nil {
		t.Errorf("Check after Retire = %v, want nil", err)
	}
	other, err := shm.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if got := string(other.Payload()[:6]); got != "shared" {
		t.Errorf("the file holds %q after Retire, want \"shared\"", got)
	}
	if err := seg.Close(); err != nil {
		t.Errorf("Close after Retire = %v", err)
	}
}

// RemoveOnClose: the creator's Close removes the name, an opener keeps its
// mapping until it closes, and a name taken meanwhile by another segment
// is left alone.
func TestRemoveOnClose(t *testing.T) {
	name := testutil.Name(t)
	seg, err := shm.Create(name, 4096, &shm.Options{RemoveOnClose: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := shm.Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	copy(seg.Payload(), "still here")
	if err := seg.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := shm.Stat(name); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("Stat after the creator's Close: %v, want ErrNotExist", err)
	}
	if string(other.Payload()[:10]) != "still here" {
		t.Fatal("the opener's mapping went with the name")
	}
	other.Close()

	// An opener's Close never removes; nor does a creator's without the option.
	seg, _ = shm.Create(name, 4096, nil)
	o, _ := shm.Open(name, &shm.Options{RemoveOnClose: true})
	o.Close()
	seg.Close()
	if _, err := shm.Stat(name); err != nil {
		t.Fatalf("removed without RemoveOnClose in its creator: %v", err)
	}
	shm.Remove(name)

	// The name reused by another segment before the Close: not ours to remove.
	seg, _ = shm.Create(name, 4096, &shm.Options{RemoveOnClose: true})
	shm.Remove(name)
	again, err := shm.Create(name, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shm.Remove(name)
	defer again.Close()
	seg.Close()
	if _, err := shm.Stat(name); err != nil {
		t.Fatalf("the creator's Close removed another segment's name: %v", err)
	}
}
