package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// goldenRows are rows as ls builds them, with every value fixed: a raw
// segment, a mutex, a broken segment, another program's file and a
// liveness file (the last two as --all lists them).
func goldenRows() []lsRow {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seg := func(name, kind string, size int64, payload int, mode, owner string, uid uint32, cpid int, ago time.Duration, pids ...int) lsRow {
		return lsRow{
			segmentJSON: segmentJSON{Name: name, Path: "/dev/shm/" + name, Kind: kind, KindVersion: 1, Size: size, PayloadOffset: 4096,
				PayloadSize: payload, Mode: mode, OwnerUID: uid, LayoutVersion: 1, CreatorPID: cpid},
			Owner: owner, NAttch: len(pids), Attached: append([]int{}, pids...), created: created.Add(-ago),
		}
	}
	broken := lsRow{segmentJSON: segmentJSON{Name: "torn", Path: "/dev/shm/torn", Size: 5000, Mode: "0600", Error: "header says 8192 bytes, file is 5000"}, Owner: "root"}
	foreign := lsRow{segmentJSON: segmentJSON{Name: "pulse-shm-1", Path: "/dev/shm/pulse-shm-1", Size: 67108904, Mode: "0400", OwnerUID: 1000, Foreign: true}, Owner: "alice", NAttch: 1, Attached: []int{77}}
	liveness := lsRow{segmentJSON: segmentJSON{Name: "shmkit-live-00000000deadbeef", Path: "/dev/shm/shmkit-live-00000000deadbeef", Size: 22, Mode: "0644", Foreign: true}, Owner: "root"}
	return []lsRow{
		seg("orders", "raw", 4096+1<<20, 1<<20, "0600", "alice", 1000, 4242, 90*time.Second, 4242, 5151),
		seg("lock", "mutex", 4112, 16, "0640", "1234", 1234, 17, 3*time.Hour),
		seg("ring", "ring", 4096+64<<20, 64<<20, "0600", "bob", 1001, 99999, 50*time.Hour, 3),
		broken, foreign, liveness,
	}
}

// The table, column by column, as each -o, --bytes and --noheadings make
// it, against a fixed clock.
func TestLsTableGolden(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		output   string // "" is the default
		bytes    bool
		headings bool
		want     string
	}{
		{"default", "", false, true, `
NAME                          KIND      SIZE     NATTCH  OWNER  MODE  AGE
orders                        raw       1.0 MiB  2       alice  0600  1m
lock                          mutex     4.0 KiB  0       1234   0640  3h
ring                          ring      64 MiB   1       bob    0600  2d
torn                          ?         4.9 KiB  0       root   0600  -  (header says 8192 bytes, file is 5000)
pulse-shm-1                   foreign   64 MiB   1       alice  0400  -
shmkit-live-00000000deadbeef  liveness  22 B     0       root   0644  -
`},
		{"bytes", "", true, true, `
NAME                          KIND      SIZE      NATTCH  OWNER  MODE  AGE
orders                        raw       1052672   2       alice  0600  1m
lock                          mutex     4112      0       1234   0640  3h
ring                          ring      67112960  1       bob    0600  2d
torn                          ?         5000      0       root   0600  -  (header says 8192 bytes, file is 5000)
pulse-shm-1                   foreign   67108904  1       alice  0400  -
shmkit-live-00000000deadbeef  liveness  22        0       root   0644  -
`},
		{"wide", "wide", false, true, `
NAME                          KIND      KVER  SIZE     PAYLOAD  NATTCH  OWNER  MODE  CPID   AGE  PATH
orders                        raw       1     1.0 MiB  1.0 MiB  2       alice  0600  4242   1m   /dev/shm/orders
lock                          mutex     1     4.0 KiB  16 B     0       1234   0640  17     3h   /dev/shm/lock
ring                          ring      1     64 MiB   64 MiB   1       bob    0600  99999  2d   /dev/shm/ring
torn                          ?         -     4.9 KiB  -        0       root   0600  -      -    /dev/shm/torn  (header says 8192 bytes, file is 5000)
pulse-shm-1                   foreign   -     64 MiB   -        1       alice  0400  -      -    /dev/shm/pulse-shm-1
shmkit-live-00000000deadbeef  liveness  -     22 B     -        0       root   0644  -      -    /dev/shm/shmkit-live-00000000deadbeef
`},
		{"columns, no headings", "NAME,size,Payload", true, false, `
orders                        1052672   1048576
lock                          4112      16
ring                          67112960  67108864
torn                          5000      -  (header says 8192 bytes, file is 5000)
pulse-shm-1                   67108904  -
shmkit-live-00000000deadbeef  22        -
`},
		{"plus columns", "+pids,uid,alive,created", false, true, `
NAME                          KIND      SIZE     NATTCH  OWNER  MODE  AGE  PIDS       UID   ALIVE  CREATED
orders                        raw       1.0 MiB  2       alice  0600  1m   4242,5151  1000  no     2026-03-01T11:58:30Z
lock                          mutex     4.0 KiB  0       1234   0640  3h   -          1234  no     2026-03-01T09:00:00Z
ring                          ring      64 MiB   1       bob    0600  2d   3          1001  no     2026-02-27T10:00:00Z
torn                          ?         4.9 KiB  0       root   0600  -    -          0     -      -  (header says 8192 bytes, file is 5000)
pulse-shm-1                   foreign   64 MiB   1       alice  0400  -    77         1000  -      -
shmkit-live-00000000deadbeef  liveness  22 B     0       root   0644  -    -          0     -      -
`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cols := columns(lsDefault)
			if tt.output != "" {
				var err error
				if cols, err = parseColumns(tt.output); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			if err := printLs(&out, goldenRows(), cols, &lsFormat{now: now, bytes: tt.bytes}, tt.headings); err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimPrefix(tt.want, "\n"); out.String() != want {
				t.Errorf("ls table:\n%s\nwant:\n%s", out.String(), want)
			}
		})
	}
}

// -o takes wide, a list, or +list; anything else is a usage error that
// names the columns there are.
func TestLsOutputUsage(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"", "want wide, or columns"},
		{"+", "want wide, or columns"},
		{"name,bogus", `no column "bogus"; the columns are name,kind,kver,`},
		{"wide,path", "wide is a column set of its own"},
		{"+wide", "wide is a column set of its own"},
		{"name,,size", `no column ""`},
	} {
		if _, err := parseColumns(tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseColumns(%q) = %v, want an error with %q", tt.spec, err, tt.want)
		}
	}
	for _, spec := range []string{"wide", "WIDE", " name , size ", "+path"} {
		if _, err := parseColumns(spec); err != nil {
			t.Errorf("parseColumns(%q): %v", spec, err)
		}
	}
	for _, args := range [][]string{
		{"ls", "-o", "bogus"},
		{"ls", "--output", ""},
		{"ls", "-o", "wide,name"},
		{"ls", "--json", "-o", "name"},
		{"ls", "--json", "--noheadings"},
	} {
		_, errOut, code := shmtool(t, args...)
		if code != 2 || !strings.HasPrefix(errOut, "shmtool: ") {
			t.Errorf("shmtool %v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	// The help documents the rule and every column.
	help := mustRun(t, "ls", "--help")
	for _, want := range append([]string{"-o, --output", "--noheadings", "--bytes", "wide", "+COL", "NATTCH"}, strings.Split(lsColumnNames(), ",")...) {
		if !strings.Contains(help, want) {
			t.Errorf("ls --help lacks %q", want)
		}
	}
}
