package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/live"
)

// goldenDir makes, in a fresh working directory, a directory d of three
// segments, another program's file and a liveness file, and returns its
// name as ls prints it: "d", so that the table is the same in every run.
func goldenDir(t *testing.T) string {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("d", 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "create", "--size", "1M", "d/raw")
	mustRun(t, "create", "--kind", "mutex", "d/mutex")
	mustRun(t, "create", "--size", "100", "--mode", "0640", "d/small")
	if err := os.WriteFile("d/other", []byte("not ours\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("d", live.Prefix+"00000000000000aa"), []byte("pid=1 start=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return "d"
}

// ls's table of real segments, end to end, in the columns that do not
// vary from run to run, byte for byte.
func TestLsGoldenDir(t *testing.T) {
	dir := goldenDir(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"ls", "-o", "name,kind,kver,size,payload,mode,nattch", dir}, `
NAME     KIND   KVER  SIZE     PAYLOAD  MODE  NATTCH
d/mutex  mutex  0     4.0 KiB  16 B     0600  0
d/raw    raw    0     1.0 MiB  1.0 MiB  0600  0
d/small  raw    0     4.1 KiB  100 B    0640  0
`},
		{[]string{"ls", "--all", "--noheadings", "--bytes", "-o", "name,kind,size,payload,mode", dir}, `
d/mutex                         mutex     4112     16       0600
d/other                         foreign   9        -        0600
d/raw                           raw       1052672  1048576  0600
d/shmkit-live-00000000000000aa  liveness  14       -        0644
d/small                         raw       4196     100      0640
`},
		{[]string{"ls", "-n", "-b", "-o", "size", dir}, `
4112
1052672
4196
`},
	} {
		out := mustRun(t, tt.args...)
		if want := strings.TrimPrefix(tt.want, "\n"); out != want {
			t.Errorf("shmtool %s:\n%s\nwant:\n%s", strings.Join(tt.args, " "), out, want)
		}
	}
}

// cells splits a table line at its column gaps (two spaces or more: a
// size's "1.0 MiB" is one cell), with the offset each cell starts at.
func cells(line string) ([]string, []int) {
	var texts []string
	var offsets []int
	for _, loc := range regexp.MustCompile(`\S+( \S+)*`).FindAllStringIndex(line, -1) {
		texts = append(texts, line[loc[0]:loc[1]])
		offsets = append(offsets, loc[0])
	}
	return texts, offsets
}

// The default and wide tables, whose owners, ages and pids vary with the
// run: each row's cells as expected, every cell under its heading.
func TestLsDefaultAndWide(t *testing.T) {
	dir := goldenDir(t)
	owner := ownerNames{}.name(uint32(os.Getuid()))
	pid := strconv.Itoa(os.Getpid()) // the segments were made in this process
	ageRE := regexp.MustCompile(`^[0-9]+s$`)
	for _, tt := range []struct {
		args   []string
		header []string
		rows   [][]string // "AGE" stands for an age of seconds
	}{
		{[]string{"ls", dir}, []string{"NAME", "KIND", "SIZE", "NATTCH", "OWNER", "MODE", "AGE"}, [][]string{
			{"d/mutex", "mutex", "4.0 KiB", "0", owner, "0600", "AGE"},
			{"d/raw", "raw", "1.0 MiB", "0", owner, "0600", "AGE"},
			{"d/small", "raw", "4.1 KiB", "0", owner, "0640", "AGE"},
		}},
		{[]string{"ls", "-o", "wide", dir}, []string{"NAME", "KIND", "KVER", "SIZE", "PAYLOAD", "NATTCH", "OWNER", "MODE", "CPID", "AGE", "PATH"}, [][]string{
			{"d/mutex", "mutex", "0", "4.0 KiB", "16 B", "0", owner, "0600", pid, "AGE", "d/mutex"},
			{"d/raw", "raw", "0", "1.0 MiB", "1.0 MiB", "0", owner, "0600", pid, "AGE", "d/raw"},
			{"d/small", "raw", "0", "4.1 KiB", "100 B", "0", owner, "0640", pid, "AGE", "d/small"},
		}},
	} {
		out := mustRun(t, tt.args...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 1+len(tt.rows) {
			t.Errorf("shmtool %s:\n%s\nwant a header and %d rows", strings.Join(tt.args, " "), out, len(tt.rows))
			continue
		}
		header, at := cells(lines[0])
		if strings.Join(header, "|") != strings.Join(tt.header, "|") {
			t.Errorf("shmtool %s: header %q, want %q", strings.Join(tt.args, " "), header, tt.header)
		}
		for i, want := range tt.rows {
			got, offsets := cells(lines[1+i])
			ok := len(got) == len(want)
			for j := 0; ok && j < len(want); j++ {
				ok = offsets[j] == at[j] && (got[j] == want[j] || want[j] == "AGE" && ageRE.MatchString(got[j]))
			}
			if !ok {
				t.Errorf("shmtool %s: row %q at %v, want %q under the headings at %v", strings.Join(tt.args, " "), got, offsets, want, at)
			}
		}
	}
}

// ls --json keeps raw numbers: sizes in bytes, the creation time in RFC
// 3339 and the age in seconds, with the owner's uid and name, the mode,
// NATTCH and the attached pids.
func TestLsJSONRaw(t *testing.T) {
	dir := goldenDir(t)
	var list []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "ls", "--json", dir)), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, s := range list {
		got[s["name"].(string)] = s
	}
	raw := got["d/raw"]
	if raw == nil || len(list) != 3 {
		t.Fatalf("ls --json = %v, want three segments and d/raw", list)
	}
	for k, want := range map[string]any{
		"size": float64(1052672), "payload_size": float64(1048576), "mode": "0600", "nattch": float64(0),
		"owner_uid": float64(os.Getuid()), "owner": ownerNames{}.name(uint32(os.Getuid())), "kind": "raw",
	} {
		if raw[k] != want {
			t.Errorf("ls --json: d/raw's %s = %#v, want %#v", k, raw[k], want)
		}
	}
	if pids, ok := raw["attached_pids"].([]any); !ok || len(pids) != 0 {
		t.Errorf("ls --json: attached_pids = %#v, want []", raw["attached_pids"])
	}
	created, err := time.Parse(time.RFC3339, raw["created_at"].(string))
	if err != nil || time.Since(created) > time.Hour || time.Until(created) > time.Minute {
		t.Errorf("ls --json: created_at %v: %v", raw["created_at"], err)
	}
	if age, ok := raw["age_seconds"].(float64); !ok || age < 0 || age > 3600 {
		t.Errorf("ls --json: age_seconds = %#v, want seconds", raw["age_seconds"])
	}
	if got["d/small"]["mode"] != "0640" {
		t.Errorf("ls --json: d/small's mode = %v, want 0640", got["d/small"]["mode"])
	}
	// --bytes changes nothing in JSON, which is raw already.
	var again []segmentJSON
	if err := json.Unmarshal([]byte(mustRun(t, "ls", "--json", "--bytes", dir)), &again); err != nil || len(again) != 3 || again[1].Size != 1052672 {
		t.Errorf("ls --json --bytes = %+v, %v; want the same sizes in bytes", again, err)
	}
}
