//go:build linux

package shmnet

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestFormatDoc: docs/FORMAT.md's connection table gives the offsets the
// code uses.
func TestFormatDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## Connection (package `shmnet`)")
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 3 && strings.TrimSpace(cells[1]) != "" && strings.ContainsAny(strings.TrimSpace(cells[1])[:1], "+0123456789") {
			rows = append(rows, strings.TrimSpace(cells[1])+" "+strings.TrimSpace(cells[2]))
		}
	}
	want := []string{
		fmt.Sprintf("%d 8", offMagic), fmt.Sprintf("%d 4", offVersion), fmt.Sprintf("%d 8", offCapacity),
		fmt.Sprintf("+%d 8", offWpos), fmt.Sprintf("+%d 8", offRpos),
		fmt.Sprintf("+%d 4", offReaderParked), fmt.Sprintf("+%d 4", offWriterParked),
		fmt.Sprintf("+%d 4", offWriteClosed), fmt.Sprintf("+%d 4", offReadClosed),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md connection table:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{fmt.Sprintf("128 + %d·*d*", dirSize), fmt.Sprintf("%d + *d*·capacity", headerSize), fmt.Sprintf("`%#x`", magic), "@shmkit/shmnet/NAME"} {
		if !strings.Contains(section, s) {
			t.Errorf("docs/FORMAT.md does not say %q", s)
		}
	}
}
