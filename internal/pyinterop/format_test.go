//go:build linux

package pyinterop_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

// The offsets and constants the Python package uses (python/shmkit/
// layout.py, which every module of it takes its offsets from) are the
// ones docs/FORMAT.md gives, table by table: the two cannot drift.
func TestFormatOffsets(t *testing.T) {
	py := testutil.Python3(t)
	cmd := exec.Command(py, "-c", "import json, shmkit.layout as L; print(json.dumps({'rows': L.format_rows(), 'constants': L.format_constants()}))")
	cmd.Env = append(cmd.Environ(), "PYTHONPATH="+pythonDir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var got struct {
		Rows      map[string][]string
		Constants map[string][]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 6 {
		t.Fatalf("python gives %d tables, want 6", len(got.Rows))
	}
	for heading, rows := range got.Rows {
		doc, section := testutil.FormatRows(t, "../..", heading)
		if strings.Join(doc, "\n") != strings.Join(rows, "\n") {
			t.Errorf("docs/FORMAT.md %q:\n%s\npython/shmkit/layout.py:\n%s", heading, strings.Join(doc, "\n"), strings.Join(rows, "\n"))
		}
		for _, c := range got.Constants[heading] {
			if !strings.Contains(section, c) {
				t.Errorf("docs/FORMAT.md %q does not say %s, which python/shmkit/layout.py uses", heading, c)
			}
		}
	}
}
